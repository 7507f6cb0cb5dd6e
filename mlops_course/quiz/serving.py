"""Questionnaire of notebook 04 (serving the model with FastAPI)."""

from mlops_course.quiz import Question

ITEM = "api"

QUESTIONS = (
    Question(
        id="04.ready",
        title="Quand envoyer du trafic",
        text=(
            "Un orchestrateur (Docker, Kubernetes) démarre une nouvelle instance de l'API et "
            "doit décider **quand lui envoyer des requêtes**. Que doit-il interroger ?"
        ),
        choices={
            "a": "`/health` : s'il répond 200, l'API peut prédire.",
            "b": "`/ready` : il répond 503 tant que le modèle n'est pas chargé et "
            "préchauffé, 200 ensuite.",
            "c": "`/docs` : si la documentation s'affiche, l'application est prête.",
            "d": "Le port : dès qu'il accepte une connexion TCP, l'API est prête.",
        },
        answer="b",
        hints={
            "a": "`/health` répond dès que le processus tourne, que le modèle soit chargé ou non.",
            "c": "La documentation est générée depuis les schémas, sans le modèle : elle "
            "s'affiche avant qu'il soit chargé.",
            "d": "L'API du cours charge son modèle en arrière-plan : son port accepte des "
            "connexions, et `/health` répond, bien avant que le modèle soit prêt.",
        },
        explanation=(
            "La *readiness* (« puis-je recevoir du trafic ? ») dépend du modèle : `/ready` "
            "attend qu'il soit chargé et préchauffé. C'est aussi ce qu'interroge le "
            "HEALTHCHECK de l'image (notebook 05)."
        ),
        item=ITEM,
    ),
    Question(
        id="04.health",
        title="À quoi sert /health",
        text=(
            "`/health` répond 200 même quand le modèle n'est pas encore chargé. À quoi "
            "sert-il alors ?"
        ),
        choices={
            "a": "À rien en production : c'est un reste de l'API de démonstration.",
            "b": "À mesurer la précision du modèle en production.",
            "c": "À dire que le processus est vivant : s'il ne répond plus, on le redémarre ; "
            "un modèle long à charger ne doit pas provoquer de redémarrage.",
            "d": "À recharger le modèle quand il répond 503.",
        },
        answer="c",
        hints={
            "a": "Un processus bloqué (boucle infinie, interblocage) ne répond plus du "
            "tout : il faut bien un moyen de le voir.",
            "b": "Il ne fait aucun calcul sur le modèle ; il ne dépend même pas de lui.",
            "d": "C'est une route GET sans effet : elle ne change rien à l'état de l'API.",
        },
        explanation=(
            "Vivacité (*liveness*) et disponibilité (*readiness*) sont deux questions. Si "
            "`/health` dépendait du modèle, un chargement un peu long ferait redémarrer le "
            "conteneur en boucle."
        ),
        item=ITEM,
    ),
    Question(
        id="04.lifespan",
        title="Charger au démarrage, pas à l'import",
        text=(
            "Pourquoi l'API charge-t-elle le modèle dans le `lifespan` (au démarrage du "
            "serveur) plutôt qu'à l'import du module, comme le code du §4.3 ?"
        ),
        choices={
            "a": "À l'import, un modèle absent empêche l'application d'exister ; au "
            "démarrage, l'application répond, `/ready` dit 503 et l'erreur est écrite dans le "
            "journal du serveur.",
            "b": "Parce que le `lifespan` charge le modèle plus vite.",
            "c": "Parce que le `lifespan` recharge le modèle à chaque requête.",
            "d": "Parce que FastAPI interdit les variables globales dans un module.",
        },
        answer="a",
        hints={
            "b": "Le chargement lit les mêmes octets dans les deux cas ; la différence est "
            "ce qui se passe quand il échoue, ou quand on importe le module pour le tester.",
            "c": "Le `lifespan` s'exécute une fois, au démarrage (et à l'arrêt).",
            "d": "FastAPI n'interdit rien de tel ; la question est de savoir quand le "
            "chargement a lieu.",
        },
        explanation=(
            "Le `lifespan` sépare créer l'application de charger le modèle : les tests "
            "importent l'app sans modèle, un modèle absent donne un 503 lisible au lieu "
            "d'un crash à l'import, et `/admin/reload` réutilise le même chargement."
        ),
        item=ITEM,
    ),
    Question(
        id="04.chaine",
        title="Une mesure envoyée en texte",
        text=(
            'Un client envoie `{"sepal_length": "5.1", "sepal_width": 3.5, '
            '"petal_length": 1.4, "petal_width": 0.2}` (une mesure en chaîne). Quelle '
            "réponse est la bonne ?"
        ),
        choices={
            "a": "200 : on convertit la chaîne en nombre pour rendre service au client.",
            "b": "500 avec le message de l'exception, pour que le client comprenne.",
            "c": "400 sans détail, pour ne rien révéler.",
            "d": "422, avec un détail qui nomme le champ et la règle non respectée.",
        },
        answer="d",
        hints={
            "a": "Accepter une chaîne cache un bug chez le client (une colonne lue comme "
            'du texte) : le jour où elle vaut `"5,1"`, tout casse loin de la cause.',
            "b": "Une erreur du client n'est pas une panne du serveur, et le texte d'une "
            "exception peut révéler des détails internes.",
            "c": "Le client ne saurait pas quoi corriger ; nommer le champ ne révèle rien "
            "d'interne.",
        },
        explanation=(
            "Le schéma Pydantic exige un nombre JSON fini entre 0 et 10 : toute entrée "
            "invalide reçoit un 422 dont `detail` nomme le champ (`field`) et la règle "
            "(`type`). Jamais un 500 pour une erreur du client."
        ),
        item=ITEM,
    ),
    Question(
        id="04.panne-modele",
        title="Une panne dans le modèle",
        text=(
            "Le modèle lève une exception pendant une prédiction. Pourquoi l'API "
            "renvoie-t-elle un 500 au message stable (`prediction_failed`) plutôt que le "
            "texte de l'exception ?"
        ),
        choices={
            "a": "Parce que le texte de l'exception peut révéler des détails internes "
            "(chemins, versions, données) ; la cause complète va dans le journal du serveur.",
            "b": "Parce que FastAPI ne sait pas renvoyer un texte d'exception.",
            "c": "Parce que le client doit réessayer automatiquement.",
            "d": "Parce qu'un 500 doit toujours avoir un corps vide.",
        },
        answer="a",
        hints={
            "b": "Le §4.3 le fait justement (`detail=str(e)`) : c'est possible, et c'est "
            "ce qu'on veut éviter.",
            "c": "Rien ne dit qu'un nouvel essai réussira ; la question est ce que le "
            "message révèle.",
            "d": "Le corps n'est pas vide : il porte un code stable que le client peut "
            "reconnaître.",
        },
        explanation=(
            "Un message stable se documente et se teste ; le détail de l'exception est utile "
            "à l'équipe, pas au client, et il part dans les journaux structurés du serveur."
        ),
        item=ITEM,
    ),
    Question(
        id="04.lot",
        title="Un lot, un appel",
        text=(
            "Pour un lot de 1 000 fleurs, pourquoi appeler le modèle **une fois** sur tout "
            "le lot plutôt qu'une fois par fleur dans une boucle ?"
        ),
        choices={
            "a": "Parce que le modèle donne des prédictions différentes fleur par fleur.",
            "b": "Parce qu'une boucle ne peut pas dépasser 100 itérations dans une requête.",
            "c": "Parce que le coût fixe de chaque appel (validation, passage par Python) "
            "est payé une fois au lieu de 1 000 : des millisecondes au lieu de secondes.",
            "d": "Parce que le lot est traité par un autre processus.",
        },
        answer="c",
        hints={
            "a": "Les prédictions sont identiques ligne par ligne ou en lot ; seule la durée "
            "change.",
            "b": "Aucune limite de ce genre : la boucle fonctionne, elle est juste lente.",
            "d": "Le lot est traité dans le même processus ; ce qui change est le nombre "
            "d'appels au modèle.",
        },
        explanation=(
            "Un appel vectorisé amortit le coût fixe : 1 000 lignes en 30 à 40 ms contre 13 à "
            "16 s pour la boucle du §4.3 (mesuré par `bench/bench_api.py`, chiffres du README)."
        ),
        item=ITEM,
    ),
    Question(
        id="04.reload",
        title="Changer de modèle sans redémarrer",
        text=(
            "`POST /admin/reload` charge et préchauffe le nouveau modèle **avant** de "
            "remplacer l'ancien. Qu'est-ce que cela garantit ?"
        ),
        choices={
            "a": "Que le nouveau modèle est meilleur que l'ancien.",
            "b": "Que l'API continue de servir l'ancien modèle pendant le chargement, et le "
            "garde si le nouveau ne se charge pas.",
            "c": "Que les requêtes en cours sont annulées proprement.",
            "d": "Que le processus redémarre avec le nouveau modèle.",
        },
        answer="b",
        hints={
            "a": "Le rechargement ne compare rien : c'est le rôle de la porte de "
            "validation, avant la promotion.",
            "c": "Au contraire : une requête en cours garde le modèle avec lequel elle a commencé.",
            "d": "Le processus reste le même (même pid) : c'est tout l'intérêt.",
        },
        explanation=(
            "Le remplacement n'a lieu qu'une fois le nouveau modèle prêt : aucune requête ne "
            "voit un modèle à moitié chargé, et un échec de chargement laisse l'ancien en "
            "service."
        ),
        item=ITEM,
    ),
)
