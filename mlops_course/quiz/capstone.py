"""Questionnaire of notebook 09 (the capstone: the whole loop, end to end).

Its solution notebook may not exist yet: ``mlops-course quiz`` skips a notebook it cannot
find, and writes these questions as soon as ``solutions/09_*.ipynb`` exists.
"""

from mlops_course.quiz import Question

QUESTIONS = (
    Question(
        id="09.reentrainer-ici",
        title="Pourquoi réentraîner ici",
        text=(
            "Dans le capstone, un nouveau protocole de mesure ajoute 1,2 cm à la longueur des "
            "pétales à partir de la 300ᵉ fleur : les fleurs ne changent pas, leurs mesures "
            "si. Pourquoi réentraîner est-il ici la bonne réponse, alors que ce n'en est pas "
            "une pour une panne de collecte ?"
        ),
        choices={
            "a": "Parce qu'il faut réentraîner dès qu'une alerte de drift se déclenche.",
            "b": "Parce que le nouveau modèle aura plus d'arbres.",
            "c": "Parce que le changement est durable (c'est désormais ainsi que l'on "
            "mesure) et que des données récentes étiquetées existent pour l'apprendre.",
            "d": "Parce que le réentraînement corrige les mesures fausses.",
        },
        answer="c",
        hints={
            "a": "Si l'alerte venait d'une panne (un formulaire cassé), réentraîner "
            "apprendrait la panne : l'alerte seule ne suffit pas à décider.",
            "b": "Le nombre d'arbres n'a rien à voir : le problème est l'échelle des mesures.",
            "d": "Les mesures ne sont pas fausses, elles suivent un autre protocole ; le "
            "modèle doit apprendre cette nouvelle échelle.",
        },
        explanation=(
            "On réentraîne quand le monde (ou la façon de le mesurer) a changé pour de bon, "
            "et que des labels récents permettent d'apprendre la nouvelle relation. Une "
            "panne, elle, se répare à la source."
        ),
        item="drift",
    ),
    Question(
        id="09.porte-recente",
        title="La porte du modèle réentraîné",
        text=(
            "Le modèle réentraîné doit repasser la porte de validation. Sur quelles données "
            "faut-il l'évaluer ?"
        ),
        choices={
            "a": "Sur des données récentes (après le changement) qu'il n'a pas vues à "
            "l'entraînement.",
            "b": "Sur le jeu de test d'origine, d'avant le changement, pour comparer avec "
            "l'ancien modèle.",
            "c": "Sur les données récentes qui ont servi à le réentraîner.",
            "d": "Il n'a pas besoin de porte : il a été entraîné sur des données plus fraîches.",
        },
        answer="a",
        hints={
            "b": "Ces données suivent l'ancien protocole : elles ne disent pas comment le "
            "modèle se comportera sur ce qu'il recevra désormais.",
            "c": "Un modèle est presque toujours bon sur ce qu'il vient d'apprendre : la "
            "porte ne bloquerait rien.",
            "d": "Des données plus fraîches ne garantissent pas un meilleur modèle : un "
            "réentraînement peut rater comme un premier entraînement.",
        },
        explanation=(
            "La porte doit mesurer ce qui compte en production : la distribution actuelle, "
            "sur des données que le modèle n'a pas vues. Sinon, elle laisse passer un "
            "modèle qui n'a fait que mémoriser."
        ),
        item="mlflow-registry",
    ),
    Question(
        id="09.precision-realisee",
        title="Mesurer l'accuracy en production",
        text=(
            "L'API ne connaît pas la vraie espèce des fleurs qu'on lui soumet. Comment le "
            "capstone mesure-t-il pourtant l'**accuracy réalisée** en production ?"
        ),
        choices={
            "a": "Avec la confiance moyenne du modèle, qui est la même chose.",
            "b": "Grâce aux retours : les vraies étiquettes arrivent après coup "
            "(`POST /feedback`) et sont reliées à chaque prédiction par son `prediction_id`.",
            "c": "En relançant le modèle sur le jeu de test à chaque fenêtre.",
            "d": "Avec le détecteur de drift, qui estime l'accuracy.",
        },
        answer="b",
        hints={
            "a": "Un modèle peut être très confiant et se tromper, surtout quand les "
            "mesures ont changé d'échelle.",
            "c": "Le jeu de test ne change pas : il ne dit rien des fleurs reçues aujourd'hui.",
            "d": "Le détecteur compare des distributions d'entrées ; il ne voit aucune étiquette.",
        },
        explanation=(
            "Chaque prédiction porte un identifiant ; quand la vérité terrain arrive (des "
            "heures ou des jours plus tard), on la relie par cet identifiant et on calcule "
            "l'accuracy réalisée et la couverture (la part des prédictions étiquetées)."
        ),
        item="drift",
    ),
    Question(
        id="09.meme-pid",
        title="Même processus, autre version",
        text=(
            "Après `POST /admin/reload`, le processus de l'API a le même pid qu'avant, et "
            "`/model` annonce la nouvelle version. Qu'est-ce que cela montre ?"
        ),
        choices={
            "a": "Que le rechargement a échoué, puisque le processus n'a pas redémarré.",
            "b": "Que l'ancien et le nouveau modèle répondent en même temps, en A/B.",
            "c": "Que l'image Docker a été reconstruite.",
            "d": "Que le modèle a changé sans redémarrer ni interrompre le service.",
        },
        answer="d",
        hints={
            "a": "Le rechargement est justement conçu pour ne pas redémarrer : regardez la "
            "version annoncée.",
            "b": "Le nouveau modèle remplace l'ancien ; les requêtes en cours finissent "
            "avec l'ancien.",
            "c": "Rien n'a été reconstruit : l'API a relu `models:/iris-classifier@champion`.",
        },
        explanation=(
            "Le registry décide quel modèle est servi (l'alias `champion`), l'API le relit "
            "sur demande : promouvoir et revenir en arrière ne demandent ni build ni "
            "redémarrage."
        ),
        item="api",
    ),
    Question(
        id="09.rollback-teste",
        title="Un rollback testé",
        text=(
            "La checklist de mise en production (§8.3) demande une procédure de rollback. "
            "Qu'est-ce qui la rend digne de confiance ?"
        ),
        choices={
            "a": "Qu'elle soit décrite en détail dans la documentation du projet.",
            "b": "Qu'elle soit exécutée et vérifiée régulièrement, comme le fait le capstone "
            "à chaque exécution.",
            "c": "Qu'elle nécessite l'accord de deux personnes.",
            "d": "Qu'elle réentraîne l'ancien modèle à partir de ses paramètres.",
        },
        answer="b",
        hints={
            "a": "Une procédure écrite et jamais jouée est souvent cassée le jour où on en "
            "a besoin.",
            "c": "Une validation à deux peut être utile, mais elle ne prouve pas que la "
            "procédure marche.",
            "d": "L'ancien modèle existe déjà dans le registry : le réentraîner prendrait du "
            "temps et ne redonnerait pas forcément le même.",
        },
        explanation=(
            "Le capstone déplace l'alias `champion` en arrière, fait recharger l'API et "
            "vérifie qu'elle sert de nouveau l'ancienne version : un rollback qui tourne à "
            "chaque exécution est un rollback dont on sait qu'il marche."
        ),
        item="bonnes-pratiques",
    ),
)
