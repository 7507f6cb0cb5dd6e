"""Questionnaire of notebook 06 (CI/CD for ML, the model's performance gate)."""

from mlops_course.quiz import Question

TESTS, CI = "tests-modele", "ci-cd"

QUESTIONS = (
    Question(
        id="06.bien-forme-mauvais",
        title="Bien formé et mauvais",
        text=(
            "Un modèle d'**un seul arbre de profondeur 1** passe tous les tests de forme et "
            "de robustesse (bonnes colonnes, probabilités qui somment à 1, pas de plantage "
            "sur des valeurs extrêmes). Que montre ce cas ?"
        ),
        choices={
            "a": "Que les tests de forme suffisent, puisqu'ils ont tourné sans erreur.",
            "b": "Que les tests de robustesse sont mal écrits.",
            "c": "Qu'un modèle peut être bien formé et mauvais : il faut des tests de "
            "performance avec un seuil pour bloquer une régression.",
            "d": "Qu'un arbre de profondeur 1 est un bon modèle de base pour Iris.",
        },
        answer="c",
        hints={
            "a": "Ces tests ont passé… pour un modèle qui ne sait séparer que deux espèces "
            "sur trois.",
            "b": "Ils font bien leur travail : vérifier la forme et l'absence de plantage. Ce "
            "n'est simplement pas la même question.",
            "d": "Il ne peut séparer que deux groupes de fleurs : une espèce entière est "
            "toujours mal classée.",
        },
        explanation=(
            "Tests de forme, de robustesse et de performance répondent à trois questions "
            "différentes. Seuls les derniers (accuracy et F1 au-dessus d'un seuil, sur des "
            "données fixes) voient qu'un commit a dégradé le modèle."
        ),
        item=TESTS,
    ),
    Question(
        id="06.donnees-de-test",
        title="Sur quelles données tester",
        text="Sur quelles données la porte de performance d'une CI doit-elle évaluer le modèle ?",
        choices={
            "a": "Sur les données d'entraînement, qui sont les plus nombreuses.",
            "b": "Sur un échantillon tiré au hasard à chaque exécution, pour varier.",
            "c": "Sur les données de production de la veille.",
            "d": "Sur un jeu mis de côté et fixé (même découpage, même graine), que le "
            "modèle n'a jamais vu à l'entraînement.",
        },
        answer="d",
        hints={
            "a": "Un modèle est presque toujours très bon sur ce qu'il a appris : la porte "
            "ne bloquerait rien.",
            "b": "Un échantillon qui change à chaque exécution fait varier le score sans que "
            "le modèle ait changé : la porte deviendrait aléatoire.",
            "c": "Elles n'ont souvent pas encore leurs vraies étiquettes, et elles changent "
            "chaque jour : le test ne serait pas reproductible.",
        },
        explanation=(
            "Une porte doit être reproductible (le même modèle donne toujours le même "
            "verdict) et honnête (des données que le modèle n'a pas vues). Un échec dit "
            "alors « ce commit a dégradé le modèle », rien d'autre."
        ),
        item=TESTS,
    ),
    Question(
        id="06.seuil",
        title="Ce qui bloque le déploiement",
        text=(
            "La porte exige une accuracy d'au moins 0,90 **et** un F1 pondéré d'au moins "
            "0,88. Un commit donne un modèle à 0,93 d'accuracy et 0,86 de F1 pondéré. Que "
            "fait la CI ?"
        ),
        choices={
            "a": "Elle déploie : l'accuracy, la métrique principale, est au-dessus de son seuil.",
            "b": "Elle déploie : la moyenne des deux scores dépasse la moyenne des deux seuils.",
            "c": "Elle bloque : le F1 pondéré est sous son seuil, et la porte exige les deux.",
            "d": "Elle bloque : l'accuracy devrait atteindre 0,95.",
        },
        answer="c",
        hints={
            "a": "La porte ne hiérarchise pas ses deux métriques : chacune a son seuil.",
            "b": "Une moyenne laisserait une bonne métrique compenser une mauvaise ; relisez "
            "la règle de la porte.",
            "d": "0,95 est le seuil de la porte de validation du registry (notebook 02), pas "
            "celui des tests du modèle.",
        },
        explanation=(
            "Chaque métrique doit franchir son propre seuil. Le F1 tient compte de la "
            "précision de chaque classe, que l'accuracy ignore : un modèle qui prédit trop "
            "souvent une classe peut garder une bonne accuracy et un F1 plus bas. Le second "
            "seuil attrape ce cas."
        ),
        item=TESTS,
    ),
    Question(
        id="06.needs",
        title="L'effet de `needs:`",
        text=(
            "Le job `docker` déclare `needs: check`. Un commit fait échouer la porte de "
            "performance dans le job `check`. Que se passe-t-il ?"
        ),
        choices={
            "a": "Le job `docker` ne démarre pas : rien n'est construit ni publié.",
            "b": "Le job `docker` construit l'image, mais ne la publie pas.",
            "c": "Les deux jobs tournent en parallèle ; seul `check` est rouge.",
            "d": "GitHub relance `check` jusqu'à ce qu'il passe.",
        },
        answer="a",
        hints={
            "b": "`needs` empêche le job de démarrer du tout, pas seulement sa dernière étape.",
            "c": "Sans `needs`, ce serait le cas ; `needs` crée justement une dépendance.",
            "d": "GitHub Actions ne relance rien tout seul.",
        },
        explanation=(
            "`needs` ordonne les jobs et propage l'échec : un modèle dégradé arrête le "
            "pipeline avant toute construction. C'est ce qui fait de la porte une vraie "
            "porte."
        ),
        item=CI,
    ),
    Question(
        id="06.permissions",
        title="Le moindre privilège",
        text=("Pourquoi le workflow déclare-t-il `permissions: contents: read` ?"),
        choices={
            "a": "Pour qu'une étape compromise (une action tierce piratée, par exemple) ne "
            "puisse ni pousser du code ni publier quoi que ce soit avec le jeton.",
            "b": "Pour accélérer le checkout du dépôt.",
            "c": "Parce que la CI n'a besoin que de lire le dépôt : tout droit de plus est un "
            "risque sans contrepartie.",
            "d": "Pour que le workflow puisse lire les secrets de l'organisation.",
        },
        answer=frozenset({"a", "c"}),
        hints={
            "b": "Les permissions du jeton ne changent rien à la vitesse du checkout.",
            "d": "Les permissions du jeton ne donnent pas accès aux secrets ; et ce workflow "
            "n'en lit aucun.",
        },
        explanation=(
            "Le jeton `GITHUB_TOKEN` a les droits qu'on lui donne. Une CI qui teste n'a "
            "besoin que de lire : la publication d'une image se fait dans un workflow à "
            "part, déclenché par un tag, qui déclare `packages: write`."
        ),
        item=CI,
    ),
    Question(
        id="06.fork",
        title="Une pull request venue d'un fork",
        text=(
            "Un contributeur extérieur ouvre une pull request depuis son **fork** (sa copie "
            "du dépôt). Le workflow de CI du dépôt (`ci.yml`) y tourne exactement comme sur "
            "`main`. Pourquoi ?"
        ),
        choices={
            "a": "Parce que GitHub copie les secrets du dépôt dans le fork du contributeur.",
            "b": "Parce qu'il n'utilise aucun secret et ne demande qu'un jeton en lecture "
            "seule : c'est tout ce que GitHub accorde à une contribution extérieure.",
            "c": "Parce qu'il publie l'image dans le compte du contributeur plutôt que dans "
            "celui du dépôt.",
            "d": "Parce que GitHub l'exécute avec le jeton personnel du contributeur.",
        },
        answer="b",
        hints={
            "a": "GitHub fait l'inverse : une pull request venue d'un fork ne reçoit pas les "
            "secrets du dépôt, pour qu'un inconnu ne puisse pas les lire.",
            "c": "Ce workflow ne publie rien : la publication vit dans un autre workflow, "
            "déclenché par un tag de version.",
            "d": "Le workflow tourne dans le contexte du dépôt cible, avec le `GITHUB_TOKEN` "
            "que GitHub crée pour l'exécution ; aucun jeton personnel n'entre en jeu.",
        },
        explanation=(
            "GitHub ne donne ni les secrets du dépôt ni un jeton en écriture à une pull "
            "request venue d'un fork : un workflow qui lirait `secrets.…` y échouerait. "
            "`ci.yml` n'en lit aucun et se contente d'un jeton en lecture seule, si bien qu'il "
            "teste toutes les contributions. Publier est le travail d'un workflow à part, "
            "déclenché par un tag de version."
        ),
        item=CI,
    ),
    Question(
        id="06.mise-a-jour",
        title="La mise à jour hebdomadaire",
        text=(
            "`uv.lock` fige les versions : la CI est reproductible. Pourquoi le dépôt a-t-il "
            "aussi un workflow hebdomadaire qui fait `uv lock --upgrade` puis `make check` ?"
        ),
        choices={
            "a": "Pour mettre à jour automatiquement `uv.lock` dans le dépôt chaque lundi.",
            "b": "Parce que le verrou expire au bout d'une semaine.",
            "c": "Pour savoir avant les utilisateurs qu'une nouvelle version d'une "
            "bibliothèque casse le projet, sans toucher au verrou du dépôt.",
            "d": "Pour vider le cache de uv.",
        },
        answer="c",
        hints={
            "a": "Ce workflow n'écrit rien dans le dépôt (`contents: read`) : il publie le "
            "verrou essayé en artefact.",
            "b": "Un verrou n'expire jamais : c'est tout son intérêt.",
            "d": "Le cache n'a rien à voir ; le workflow essaie d'autres versions.",
        },
        explanation=(
            "Le verrou protège la CI des changements extérieurs… et les lui cache. Un essai "
            "hebdomadaire avec les dernières versions révèle la casse à venir pendant qu'elle "
            "est encore facile à corriger."
        ),
        item=CI,
    ),
)
