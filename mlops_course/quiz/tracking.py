"""Questionnaire of notebook 02 (experiment tracking and the Model Registry with MLflow)."""

from mlops_course.quiz import Question

TRACKING, REGISTRY = "mlflow-tracking", "mlflow-registry"

QUESTIONS = (
    Question(
        id="02.graine-et-split",
        title="Ce qu'il faut logger en plus des hyperparamètres",
        text=(
            "Deux runs ont exactement les mêmes hyperparamètres de forêt aléatoire, mais des "
            "accuracy différentes, et personne ne sait pourquoi. Qu'aurait-il fallu logger "
            "comme paramètres ?"
        ),
        choices={
            "a": "La date et l'heure du run.",
            "b": "La graine (`random_state`) et la taille du jeu de test (`test_size`).",
            "c": "Le nom de la machine et la version de Python.",
            "d": "Le chemin du notebook qui a lancé le run.",
        },
        answer="b",
        hints={
            "a": "MLflow enregistre déjà l'heure de début de chaque run, et elle ne change "
            "pas le score.",
            "c": "Ces informations aident à recharger un modèle, mais avec les mêmes "
            "versions, deux entraînements peuvent encore donner des scores différents.",
            "d": "Le chemin ne dit rien des données sur lesquelles le modèle a été entraîné "
            "et évalué.",
        },
        explanation=(
            "Le découpage et le hasard de la forêt changent le score à hyperparamètres "
            "égaux. Sans `random_state` ni `test_size`, un résultat ne se reproduit pas : on "
            "ne sait pas s'il vient du modèle ou d'un découpage favorable."
        ),
        item=TRACKING,
    ),
    Question(
        id="02.uri-absolue",
        title="L'interface vide",
        text=(
            "Vous entraînez dans un notebook sans régler de *tracking URI*, puis lancez "
            "`mlflow ui` depuis la racine de votre projet : l'interface n'affiche aucun "
            "run. Que s'est-il passé ?"
        ),
        choices={
            "a": "Les runs sont effacés quand le noyau du notebook s'arrête.",
            "b": "L'interface n'affiche que les runs terminés depuis plus d'une minute.",
            "c": "MLflow a écrit `mlflow.db` et `mlruns/` dans le dossier courant du "
            "notebook, et l'interface lit ceux du dossier d'où elle a été lancée.",
            "d": "Il fallait d'abord enregistrer les modèles dans le registry pour voir les runs.",
        },
        answer="c",
        hints={
            "a": "Un store SQLite est un fichier : il survit au noyau. Cherchez plutôt où "
            "ce fichier a été écrit.",
            "b": "Un run apparaît dès qu'il est créé ; la question est de savoir dans quel "
            "store il a été créé.",
            "d": "Les runs s'affichent sans passer par le registry, qui ne concerne que les "
            "modèles retenus.",
        },
        explanation=(
            "Sans URI, MLflow utilise `sqlite:///<dossier courant>/mlflow.db` : chaque "
            "dossier de lancement a son propre store. Donnez un URI absolu (ou "
            "`MLFLOW_TRACKING_URI`) pour que notebooks, scripts et interface partagent le "
            "même store."
        ),
        item=TRACKING,
    ),
    Question(
        id="02.dependances",
        title="Des dépendances explicites",
        text=(
            "Pourquoi le cours passe-t-il `pip_requirements` explicitement à "
            "`mlflow.sklearn.log_model` ?"
        ),
        choices={
            "a": "Sans elles, MLflow ne peut pas recharger le modèle plus tard.",
            "b": "C'est obligatoire depuis MLflow 3.",
            "c": "Pour que le serveur MLflow installe ces paquets à la volée.",
            "d": "Sans elles, MLflow déduit les dépendances en rechargeant le modèle dans "
            "un sous-processus, ce qui coûte plusieurs secondes par modèle.",
        },
        answer="d",
        hints={
            "a": "Sans `pip_requirements`, MLflow les devine lui-même : le modèle reste "
            "rechargeable. Demandez-vous plutôt ce que coûte cette devinette.",
            "b": "L'argument reste facultatif en MLflow 3 : le log fonctionne sans lui.",
            "c": "Le serveur de tracking stocke des fichiers ; il n'installe rien.",
        },
        explanation=(
            "L'inférence des dépendances recharge le modèle dans un sous-processus : 5 à 12 s "
            "par modèle, contre 0,3 s environ avec une liste explicite, figée aux versions "
            "installées (mesuré le 2 décembre 2026, notebook 02). Sur une grille de modèles, la "
            "différence se compte en minutes."
        ),
        item=TRACKING,
    ),
    Question(
        id="02.types-de-confiance",
        title="« Untrusted types »",
        text=(
            "`mlflow.sklearn.log_model` refuse votre forêt aléatoire : « Untrusted types "
            "['sklearn.tree._tree.Tree'] ». Quelle est la bonne réaction ?"
        ),
        choices={
            "a": "Vérifier que ce type est une structure de données sans code à exécuter, "
            "puis l'ajouter à la liste `skops_trusted_types`.",
            "b": "Repasser au format pickle, qui n'a pas cette limite.",
            "c": "Passer à chaque `log_model` la liste que renvoie `get_untrusted_types`, "
            "pour ne plus jamais voir l'erreur.",
            "d": "Régler `MLFLOW_ALLOW_FILE_STORE=true`.",
        },
        answer="a",
        hints={
            "b": "pickle « n'a pas cette limite » parce qu'il exécute le code qu'on lui "
            "donne au chargement : c'est précisément le risque que skops évite.",
            "c": "Approuver automatiquement tout type inconnu annule la protection : un type "
            "apparu plus tard (un transformeur maison) doit être relu, pas accepté d'office.",
            "d": "Cette variable concerne le store de fichiers de MLflow, pas le format du modèle.",
        },
        explanation=(
            "skops refuse de recharger un type qu'on ne lui a pas déclaré sûr. "
            "`sklearn.tree._tree.Tree` n'est que des tableaux de nœuds et de seuils : on "
            "l'ajoute après l'avoir vérifié. La liste étant stockée avec le modèle, elle ne "
            "remplace pas le contrôle d'accès au store."
        ),
        item=TRACKING,
    ),
    Question(
        id="02.ex-aequo",
        title="Départager des ex æquo",
        text=(
            "Trois runs ont exactement le même F1. Pourquoi le cours les départage-t-il par "
            "un critère explicite (la date de début au §2.4 ; le nombre d'arbres, puis la "
            "date, dans `compare_runs`) au lieu de prendre le premier run que renvoie "
            "`search_runs` ?"
        ),
        choices={
            "a": "Parce que `search_runs` ne sait pas trier par métrique.",
            "b": "Parce que plus un modèle a d'arbres, meilleur il est.",
            "c": "Parce que l'ordre de MLflow entre ex æquo n'est pas garanti : le gagnant "
            "pourrait changer d'une exécution à l'autre.",
            "d": "Parce que MLflow refuse d'enregistrer deux runs de même score.",
        },
        answer="c",
        hints={
            "a": "`search_runs` trie très bien par métrique (`order_by`) ; le problème "
            "vient des runs qui ont la même valeur.",
            "b": "À score égal, le cours préfère justement le modèle qui a le moins d'arbres.",
            "d": "MLflow enregistre autant de runs de même score qu'on veut.",
        },
        explanation=(
            "Un choix qui dépend d'un ordre non garanti n'est pas reproductible. Le "
            "départage est déterministe : à score égal, le modèle le moins cher à servir, "
            "puis le premier run à avoir atteint ce score."
        ),
        item=REGISTRY,
    ),
    Question(
        id="02.alias",
        title="Pourquoi des alias",
        text=(
            "Pourquoi les *stages* du registry (`Staging`, `Production`…) ont-ils été "
            "abandonnés au profit des alias (`champion`, `challenger`) et des tags ?"
        ),
        choices={
            "a": "Un stage mélangeait deux questions : « ce modèle est-il validé ? » et "
            "« où est-il déployé ? ».",
            "b": "Une liste fermée de quatre états ne permet pas d'avoir un champion et un "
            "challenger servis en même temps, ni deux environnements de production.",
            "c": "Un modèle chargé par alias répond plus vite qu'un modèle chargé par stage.",
            "d": "Les stages ne permettaient pas d'enregistrer les métriques du modèle.",
        },
        answer=frozenset({"a", "b"}),
        hints={
            "c": "Un alias ou un stage ne désigne qu'une version : le modèle chargé est le "
            "même, et il prédit à la même vitesse.",
            "d": "Les métriques sont dans le run d'origine, avec ou sans stage.",
        },
        explanation=(
            "Un alias est un pointeur nommé et mobile vers une version ; on peut en avoir "
            "plusieurs par modèle. La décision de validation va dans des tags de version "
            "(métrique, seuil, date), et le déplacement d'un alias rend le retour arrière "
            "immédiat."
        ),
        item=REGISTRY,
    ),
    Question(
        id="02.rollback",
        title="Le retour arrière",
        text=(
            "La version 5 vient d'être promue `champion` et la latence explose en "
            "production. L'API charge `models:/iris-classifier@champion`. Quel est le retour "
            "arrière le plus sûr ?"
        ),
        choices={
            "a": "Supprimer la version 5 du registry.",
            "b": "Réentraîner un modèle avec les paramètres de la version 4.",
            "c": "Reconstruire et redéployer l'image Docker de la veille.",
            "d": "Remettre l'alias `champion` sur la version qu'il désignait avant (notée "
            "dans un tag), puis faire recharger l'API.",
        },
        answer="d",
        hints={
            "a": "Supprimer une version efface la trace de ce qui s'est passé, et l'alias "
            "ne désigne alors plus aucune version servable.",
            "b": "Réentraîner prend du temps et ne redonne pas forcément le même modèle : "
            "l'ancienne version existe déjà dans le registry.",
            "c": "L'image n'a pas changé : c'est le modèle désigné par l'alias qui a changé.",
        },
        explanation=(
            "Le modèle précédent est toujours dans le registry : déplacer l'alias prend une "
            "ligne, sans réentraîner ni redéployer. Le tag `previous_champion` dit où "
            "revenir, et la version abandonnée garde la trace de l'incident."
        ),
        item=REGISTRY,
    ),
    Question(
        id="02.porte-optimiste",
        title="Un score de porte trop beau",
        text=(
            "Le jeu de test a servi à choisir le meilleur run, puis ce même jeu sert à la "
            "porte de validation « F1 > 0,95 ». Que vaut le F1 mesuré par la porte ?"
        ),
        choices={
            "a": "Il est optimiste : le modèle a été choisi parce qu'il réussissait sur ces "
            "données ; il faut un jeu de validation séparé.",
            "b": "Il est exact, puisque le modèle n'a pas été entraîné sur le jeu de test.",
            "c": "Il est pessimiste, parce que le jeu de test est petit.",
            "d": "Il est invalide : MLflow refuse d'évaluer deux fois sur les mêmes données.",
        },
        answer="a",
        hints={
            "b": "Le modèle n'a pas appris sur ces données, mais il a été sélectionné "
            "sur elles : parmi plusieurs candidats, on a gardé celui qu'elles favorisaient.",
            "c": "Un petit jeu rend la mesure bruitée dans les deux sens ; ici le biais a un "
            "sens précis, lié à la façon dont le modèle a été retenu.",
            "d": "MLflow n'impose rien de tel : le problème est statistique, pas technique.",
        },
        explanation=(
            "Choisir le meilleur de plusieurs modèles sur un jeu de données, c'est déjà "
            "s'ajuster à ce jeu. Pour une porte honnête, gardez un jeu de validation (ou de "
            "*staging*) qui n'a servi à aucun choix."
        ),
        item=REGISTRY,
    ),
)
