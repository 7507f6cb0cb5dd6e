"""Questionnaire of notebook 01 (the ML lifecycle and the maturity levels)."""

from mlops_course.quiz import Question

ITEM = "cycle-de-vie"

QUESTIONS = (
    Question(
        id="01.boucle",
        title="Pourquoi une boucle",
        text=(
            "Le cycle de vie du §1.3 est dessiné comme une **boucle** et non comme une ligne "
            "qui s'arrête au déploiement. Pourquoi ?"
        ),
        choices={
            "a": "Parce qu'un modèle doit être réentraîné à chaque nouveau commit du code.",
            "b": "Parce que le monde change après le déploiement : ce que l'on observe en "
            "production finit par renvoyer au cadrage, aux données et à l'entraînement.",
            "c": "Parce que la première évaluation échoue presque toujours et qu'il faut "
            "recommencer l'entraînement avant de déployer.",
            "d": "Parce qu'un déploiement peut toujours être annulé, ce qui ramène au début.",
        },
        answer="b",
        hints={
            "a": "Un commit change le code, pas forcément le modèle ni les données : ce "
            "n'est pas lui qui referme la boucle.",
            "c": "Ce va-et-vient entre entraîner et évaluer a lieu avant le déploiement ; "
            "la boucle du schéma passe par la production.",
            "d": "Annuler un déploiement (rollback) remet l'ancien modèle en service, cela "
            "ne relance pas le cycle.",
        },
        explanation=(
            "Les données réelles dérivent et les besoins évoluent : le monitoring (étape 7) "
            "fournit les observations qui déclenchent le réentraînement (étape 8), puis on "
            "recadre si besoin. Un modèle déployé n'est jamais « fini »."
        ),
        item=ITEM,
    ),
    Question(
        id="01.plaintes",
        title="Un modèle qui se dégrade en silence",
        text=(
            "Votre modèle affichait 95 % d'accuracy en test. Six mois après sa mise en "
            "production, les plaintes se multiplient, alors que personne n'a touché au code "
            "ni au modèle. Quelle pratique vous aurait prévenu **avant** les plaintes ?"
        ),
        choices={
            "a": "Des tests unitaires plus nombreux sur le code du modèle.",
            "b": "Une image Docker, pour que l'environnement ne change pas.",
            "c": "Le versioning du modèle dans un registry.",
            "d": "Le monitoring des entrées et des performances en production.",
        },
        answer="d",
        hints={
            "a": "Le code n'a pas changé : des tests du code passeraient toujours, le "
            "problème est ailleurs.",
            "b": "L'environnement n'a pas changé non plus ; figer l'environnement ne dit rien "
            "de ce que le modèle reçoit.",
            "c": "Le registry permet de retrouver ou de restaurer une version ; il ne "
            "signale pas qu'une version se dégrade.",
        },
        explanation=(
            "Ni le code ni le modèle n'ont changé : ce sont les données du monde réel. Seul "
            "un monitoring (drift des entrées, confiance, performance réalisée quand les "
            "labels arrivent) le voit venir. C'est le sujet du notebook 07."
        ),
        item=ITEM,
    ),
    Question(
        id="01.hyperparametres",
        title="Les hyperparamètres perdus",
        text=(
            "L'équipe ne sait plus quels hyperparamètres et quel découpage des données ont "
            "produit le modèle qui tourne en production. Quelle pratique du **niveau 1** "
            "manquait ?"
        ),
        choices={
            "a": "L'experiment tracking (paramètres, métriques et modèle de chaque run).",
            "b": "Le monitoring du modèle en production.",
            "c": "Le déploiement automatisé.",
            "d": "Le feature store.",
        },
        answer="a",
        hints={
            "b": "Le monitoring observe le modèle une fois déployé ; il ne garde pas la "
            "trace de la façon dont il a été entraîné (et c'est une pratique du niveau 2).",
            "c": "Déployer automatiquement ne dit pas d'où vient le modèle déployé (et c'est "
            "une pratique du niveau 2).",
            "d": "Un feature store partage des variables entre modèles (niveau 3) ; il ne "
            "garde pas les réglages d'un entraînement.",
        },
        explanation=(
            "L'experiment tracking enregistre, pour chaque run, ses paramètres (dont la "
            "graine et la taille du test), ses métriques et son modèle : on retrouve "
            "exactement ce qui a produit chaque version. C'est le sujet du notebook 02."
        ),
        item=ITEM,
    ),
    Question(
        id="01.niveau-cumulatif",
        title="Le niveau d'une équipe",
        text=(
            "Une équipe a un pipeline CI/CD, des tests automatisés, un déploiement "
            "automatisé et un monitoring complet. En revanche, ses expériences ne sont pas "
            "tracées et ses modèles ne sont pas versionnés. À quel **niveau de maturité** "
            "(0, 1, 2 ou 3) est-elle ?"
        ),
        answer=0,
        hints={
            2: "Elle a bien toutes les pratiques du niveau 2… mais un niveau exige aussi "
            "tous ceux d'en dessous.",
            1: "Regardez les pratiques du niveau 1 une à une : les a-t-elle toutes ?",
            3: "Le niveau 3 demande en plus le réentraînement automatique, l'A/B testing et "
            "un feature store ; et les niveaux sont cumulatifs.",
        },
        hint="Les niveaux sont cumulatifs : vérifiez le niveau 1, pratique par pratique.",
        explanation=(
            "Les niveaux sont cumulatifs : sans tracking ni versioning (niveau 1), "
            "l'équipe reste au niveau 0, quelle que soit la qualité de sa CI/CD. Monitorer un "
            "modèle que l'on ne sait ni reproduire ni restaurer ne permet pas de le corriger."
        ),
        item=ITEM,
    ),
    Question(
        id="01.niveau-3",
        title="Ce qui fait le niveau 3",
        text="Parmi ces pratiques, lesquelles distinguent le **niveau 3** du niveau 2 ?",
        choices={
            "a": "Le réentraînement qui se déclenche tout seul.",
            "b": "Les tests du code et du modèle lancés automatiquement.",
            "c": "La comparaison de deux modèles en production (A/B testing).",
            "d": "Le monitoring du modèle en production.",
        },
        answer=frozenset({"a", "c"}),
        hints={
            "b": "Des tests automatiques, c'est déjà ce que demande le niveau 2 (CI/CD ML).",
            "d": "Le monitoring est requis dès le niveau 2 : sans lui, on ne saurait pas "
            "quand réentraîner.",
        },
        explanation=(
            "Le niveau 3 (« Full MLOps ») ajoute l'optimisation continue : réentraînement "
            "automatique, A/B testing, feature store. Tests, CI/CD, déploiement automatisé "
            "et monitoring sont déjà le niveau 2."
        ),
        item=ITEM,
    ),
    Question(
        id="01.viser",
        title="Quel niveau viser",
        text=(
            "Une équipe de quatre personnes met en production son premier modèle, réentraîné "
            "une fois par trimestre. Quel objectif de maturité est raisonnable ?"
        ),
        choices={
            "a": "Le niveau 3 tout de suite : autant tout automatiser dès le départ.",
            "b": "Le niveau 1 : la CI/CD n'est utile qu'à partir de dix modèles.",
            "c": "Le niveau 2 ; le niveau 3 ne paie qu'avec beaucoup de modèles en "
            "production et des données qui changent vite.",
            "d": "Le niveau 0 tant qu'aucun incident n'a eu lieu.",
        },
        answer="c",
        hints={
            "a": "Un feature store et un réentraînement automatique coûtent cher à bâtir et "
            "à maintenir : pour un modèle réentraîné quatre fois par an, ce coût ne se "
            "rembourse pas.",
            "b": "Les tests automatiques et le monitoring protègent dès le premier modèle : "
            "une régression ou une dérive n'attend pas le dixième.",
            "d": "Attendre l'incident, c'est découvrir le problème par les plaintes, sans "
            "moyen de reproduire ni de revenir en arrière.",
        },
        explanation=(
            "Le niveau 2 (tests, CI/CD, déploiement automatisé, monitoring) est l'objectif "
            "réaliste pour la plupart des équipes ; le niveau 3 se justifie avec des dizaines "
            "de modèles et des données qui changent vite."
        ),
        item=ITEM,
    ),
)
