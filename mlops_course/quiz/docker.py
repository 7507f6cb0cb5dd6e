"""Questionnaire of notebook 05 (Docker and Docker Compose for the model's API)."""

from mlops_course.quiz import Question

ITEM = "docker"

QUESTIONS = (
    Question(
        id="05.healthcheck-curl",
        title="Un HEALTHCHECK avec curl",
        text=(
            "L'image part de `python:3.11-slim` et son `HEALTHCHECK` appelle "
            "`curl -f http://localhost:8000/health`. Que se passe-t-il ?"
        ),
        choices={
            "a": "Le build échoue, puisque curl est introuvable.",
            "b": "Docker installe curl au premier health check.",
            "c": "Le build réussit, mais le test échoue à chaque fois : le conteneur ne "
            "devient jamais *healthy*.",
            "d": "Docker ignore un HEALTHCHECK dont la commande est absente.",
        },
        answer="c",
        hints={
            "a": "Le build n'exécute pas la commande du HEALTHCHECK : il l'enregistre seulement.",
            "b": "Docker n'installe jamais rien dans une image à votre place.",
            "d": "Une commande introuvable est un échec du test, pas une absence de test.",
        },
        explanation=(
            "Les images *slim* n'ont ni curl ni wget. L'erreur ne se voit qu'au déploiement : "
            "le conteneur reste *unhealthy* et `compose up --wait` échoue. D'où un health "
            "check en Python (`urllib.request`), sur `/ready`."
        ),
        item=ITEM,
    ),
    Question(
        id="05.couches",
        title="Les dépendances avant le code",
        text=(
            "Pourquoi le Dockerfile installe-t-il les dépendances (à partir de `uv.lock` et "
            "`pyproject.toml`) **avant** de copier le code de l'application ?"
        ),
        choices={
            "a": "Parce que uv refuse d'installer des dépendances quand le code est présent.",
            "b": "Pour que la couche des dépendances ne soit reconstruite que si elles "
            "changent : modifier le code ne réinstalle rien.",
            "c": "Pour que l'image finale soit plus petite.",
            "d": "Pour que les dépendances puissent importer le code de l'application.",
        },
        answer="b",
        hints={
            "a": "uv installe très bien des dépendances à côté du code ; l'ordre compte pour "
            "une autre raison, liée au cache de Docker.",
            "c": "Les mêmes fichiers finissent dans l'image quel que soit l'ordre ; c'est la "
            "durée des builds suivants qui change.",
            "d": "Les dépendances n'importent pas le code de l'application.",
        },
        explanation=(
            "Docker réutilise une couche tant que ce qu'elle a reçu n'a pas changé. Le code "
            "change à chaque commit, les dépendances rarement : les mettre en premier "
            "garde leur installation en cache."
        ),
        item=ITEM,
    ),
    Question(
        id="05.deux-etapes",
        title="Deux étapes",
        text=(
            "Le Dockerfile a deux étapes, `build` (installe) et `runtime` (exécute), et seuls "
            "le virtualenv et le modèle passent de l'une à l'autre. Qu'y gagne-t-on ?"
        ),
        choices={
            "a": "Une image finale sans uv, sans cache ni outil de build : plus petite, et "
            "avec moins de choses à attaquer ou à mettre à jour.",
            "b": "Un build deux fois plus rapide, les deux étapes tournant en parallèle.",
            "c": "La possibilité de lancer deux conteneurs à partir de la même image.",
            "d": "Un modèle entraîné pendant le build.",
        },
        answer="a",
        hints={
            "b": "La seconde étape copie depuis la première : elle l'attend.",
            "c": "N'importe quelle image peut lancer autant de conteneurs qu'on veut.",
            "d": "Rien n'est entraîné pendant le build : le modèle ONNX est copié, déjà exporté.",
        },
        explanation=(
            "Ce qui sert à construire (uv, caches, compilateurs éventuels) n'a rien à faire "
            "dans l'image qui tourne en production : la seconde étape repart d'une image "
            "propre et ne reçoit que le résultat."
        ),
        item=ITEM,
    ),
    Question(
        id="05.locked",
        title="`--locked` ou `--frozen`",
        text=(
            "Dans le Dockerfile, pourquoi `uv ... --locked` plutôt que `uv sync --frozen` "
            "(celui du chapitre) ?"
        ),
        choices={
            "a": "`--locked` télécharge les dernières versions compatibles.",
            "b": "`--frozen` n'existe plus dans uv.",
            "c": "`--locked` est plus rapide.",
            "d": "`--frozen` installe `uv.lock` même s'il ne correspond plus à "
            "`pyproject.toml` ; `--locked` échoue dans ce cas.",
        },
        answer="d",
        hints={
            "a": "C'est l'inverse d'un verrou : `--locked` installe exactement ce qui est "
            "écrit dans `uv.lock`.",
            "b": "L'option existe toujours ; c'est son comportement face à un verrou périmé "
            "qui pose problème.",
            "c": "Les deux installent la même chose quand le verrou est à jour ; la "
            "différence apparaît quand il ne l'est pas.",
        },
        explanation=(
            "Un `pyproject.toml` modifié sans relancer `uv lock` donnerait, avec `--frozen`, "
            "une image construite sur d'anciennes dépendances sans que personne ne le voie. "
            "`--locked` arrête le build."
        ),
        item=ITEM,
    ),
    Question(
        id="05.utilisateur",
        title="Un utilisateur numérique non root",
        text=(
            "L'image crée un utilisateur système et se termine par `USER 10001:10001`. "
            "Pourquoi un identifiant **numérique** ?"
        ),
        choices={
            "a": "Parce que Docker n'accepte pas les noms d'utilisateur.",
            "b": "Pour que l'orchestrateur (Kubernetes, `runAsNonRoot`) puisse vérifier, "
            "sans lire l'image, que le processus ne tourne pas en root.",
            "c": "Pour que l'API puisse écouter sur le port 80.",
            "d": "Pour partager les fichiers du conteneur avec l'utilisateur de la machine.",
        },
        answer="b",
        hints={
            "a": "`USER appuser` est accepté par Docker ; c'est un autre outil qui a besoin "
            "du nombre.",
            "c": "Le port d'écoute ne dépend pas de la façon d'écrire l'utilisateur ; l'API "
            "écoute d'ailleurs sur 8000.",
            "d": "Le cours monte le modèle en lecture seule ; l'identifiant n'est pas choisi "
            "pour partager des fichiers.",
        },
        explanation=(
            "Un nom ne se résout qu'avec le `/etc/passwd` de l'image : Kubernetes refuse de "
            "démarrer un conteneur `runAsNonRoot` dont l'utilisateur n'est pas numérique. Et "
            "un processus compromis qui n'est pas root fait moins de dégâts."
        ),
        item=ITEM,
    ),
    Question(
        id="05.dockerignore",
        title="Un `.dockerignore` en liste blanche",
        text=(
            "Le `.dockerignore` du dépôt exclut tout (`*`), puis réintègre seulement ce dont "
            "l'image a besoin (`!motif`). Quel avantage sur une liste de fichiers à "
            "exclure ?"
        ),
        choices={
            "a": "Un fichier ajouté plus tard (des données, un `.env`) reste hors du contexte "
            "de build sans que personne ait à y penser.",
            "b": "Le fichier est plus court.",
            "c": "Docker lit les listes blanches plus vite.",
            "d": "Les fichiers réintégrés sont copiés automatiquement dans l'image.",
        },
        answer="a",
        hints={
            "b": "Sa longueur n'est pas l'enjeu ; pensez aux fichiers qui n'existent pas encore.",
            "c": "La vitesse de lecture du `.dockerignore` est négligeable.",
            "d": "Seules les instructions `COPY` mettent des fichiers dans l'image ; le "
            "`.dockerignore` décide de ce que le démon reçoit.",
        },
        explanation=(
            "Avec une liste noire, chaque nouveau fichier sensible doit être pensé ; avec "
            "une liste blanche, l'oubli est sans danger. Données, notebooks, virtualenvs, "
            "`.git` et secrets n'atteignent jamais le démon."
        ),
        item=ITEM,
    ),
    Question(
        id="05.cmd-json",
        title="La forme JSON de CMD",
        text=(
            'Pourquoi `CMD ["uvicorn", "mlops_course.api:app", ...]` (forme JSON) plutôt '
            "que `CMD uvicorn mlops_course.api:app ...` ?"
        ),
        choices={
            "a": "La forme JSON démarre plus vite parce qu'elle est précompilée.",
            "b": "La forme texte n'accepte pas d'arguments.",
            "c": "La forme JSON installe uvicorn si besoin.",
            "d": "En forme JSON, uvicorn est le processus principal et reçoit lui-même le "
            "signal d'arrêt ; en forme texte, c'est un shell qui le reçoit.",
        },
        answer="d",
        hints={
            "a": "Rien n'est précompilé ; regardez plutôt quel processus porte le numéro 1 "
            "dans le conteneur.",
            "b": "La forme texte accepte des arguments : elle les passe à `/bin/sh -c`.",
            "c": "Aucune forme n'installe quoi que ce soit au démarrage.",
        },
        explanation=(
            "`docker stop` envoie SIGTERM au processus principal. Si c'est `/bin/sh`, il ne "
            "le transmet pas : uvicorn est tué brutalement au bout du délai, sans terminer "
            "les requêtes en cours."
        ),
        item=ITEM,
    ),
)
