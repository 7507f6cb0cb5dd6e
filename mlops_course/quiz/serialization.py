"""Questionnaire of notebook 03 (joblib, pickle, manifests, ONNX, versioning)."""

from mlops_course.quiz import Question

ITEM = "sauvegarde"

QUESTIONS = (
    Question(
        id="03.pickle-piege",
        title="Un pickle reçu par mail",
        text=(
            "Un collègue vous envoie `modele.pkl`. Que peut-il se passer pendant "
            "`pickle.load(open('modele.pkl', 'rb'))` ?"
        ),
        choices={
            "a": "Rien de dangereux tant que l'on n'appelle pas `predict` sur l'objet.",
            "b": "N'importe quel code choisi par l'auteur du fichier peut s'exécuter, avant "
            "même que vous ayez un objet à inspecter.",
            "c": "Seul du code de scikit-learn peut s'exécuter, puisque c'est un modèle "
            "scikit-learn.",
            "d": "Python refuse de charger un fichier pickle qui n'est pas signé.",
        },
        answer="b",
        hints={
            "a": "Le danger n'attend pas `predict` : demandez-vous comment `pickle.load` "
            "reconstruit un objet.",
            "c": "Le fichier dit lui-même quelle fonction appeler pour reconstruire l'objet, "
            "et rien ne la limite à scikit-learn.",
            "d": "pickle ne vérifie aucune signature.",
        },
        explanation=(
            "Un pickle est un petit programme : un objet peut demander « pour me recréer, "
            "appelez telle fonction avec tels arguments » (`__reduce__`), et `pickle.load` "
            "fait l'appel. joblib s'appuie sur pickle : même risque."
        ),
        item=ITEM,
    ),
    Question(
        id="03.empreinte-avant",
        title="Vérifier avant de charger",
        text=(
            "`load_joblib` calcule l'empreinte sha256 du fichier et la compare au manifeste "
            "**avant** de le désérialiser. Pourquoi pas après, sur l'objet chargé ?"
        ),
        choices={
            "a": "Parce que le calcul de l'empreinte est plus rapide sur le fichier.",
            "b": "Parce que l'objet chargé n'a pas d'empreinte.",
            "c": "Parce que joblib modifie le fichier pendant le chargement.",
            "d": "Parce qu'un fichier piégé exécute son code pendant le chargement : après, "
            "il est trop tard.",
        },
        answer="d",
        hints={
            "a": "La vitesse n'est pas l'enjeu : demandez-vous ce qui peut déjà s'être "
            "produit une fois le chargement terminé.",
            "b": "On pourrait très bien re-sérialiser l'objet et hacher le résultat ; le "
            "problème est ailleurs.",
            "c": "Le chargement ne fait que lire le fichier.",
        },
        explanation=(
            "La vérification doit précéder toute désérialisation : un fichier modifié (un "
            "octet suffit) ou remplacé par un pickle piégé est refusé sans que son code "
            "ne s'exécute."
        ),
        item=ITEM,
    ),
    Question(
        id="03.empreinte-ailleurs",
        title="Où garder l'empreinte attendue",
        text=(
            "Le manifeste, avec l'empreinte sha256 attendue, est posé à côté du fichier "
            "du modèle. Quelle est la limite de cette protection ?"
        ),
        choices={
            "a": "sha256 est trop faible : deux fichiers différents ont souvent la même empreinte.",
            "b": "Quelqu'un qui peut réécrire le modèle peut aussi réécrire le manifeste : "
            "l'empreinte attendue doit être gardée ailleurs (tag du registry, dépôt de "
            "configuration).",
            "c": "Le manifeste ralentit le chargement du modèle.",
            "d": "Le manifeste n'est pas relu si le modèle est au format joblib.",
        },
        answer="b",
        hints={
            "a": "Aucune collision sha256 n'est connue : la fonction de hachage n'est pas le "
            "maillon faible.",
            "c": "Hacher quelques mégaoctets prend des millisecondes ; la question porte sur "
            "ce que la protection garantit.",
            "d": "`load_joblib` relit bien le manifeste ; regardez plutôt qui peut écrire "
            "dans le dossier où il se trouve.",
        },
        explanation=(
            "Une empreinte ne protège que si l'attaquant ne peut pas la changer aussi. "
            "Gardez la valeur attendue hors du dossier des modèles (par exemple le tag "
            "`onnx_sha256` du run MLflow) et passez-la à `expected_sha256=`."
        ),
        item=ITEM,
    ),
    Question(
        id="03.pipeline-complet",
        title="Sauvegarder tout le pipeline",
        text=(
            "Pourquoi sauvegarder le pipeline complet (`StandardScaler` + forêt) plutôt que "
            "la forêt seule ?"
        ),
        choices={
            "a": "Parce que la forêt seule ne peut pas être sérialisée.",
            "b": "Parce que le fichier du pipeline est plus petit.",
            "c": "Parce que la forêt a appris sur des données normalisées : servie seule, "
            "elle recevrait des mesures brutes et se tromperait sans aucune erreur visible.",
            "d": "Parce qu'ONNX n'accepte que des pipelines.",
        },
        answer="c",
        hints={
            "a": "Une forêt seule se sérialise très bien ; la question est de savoir si elle "
            "prédit juste une fois servie.",
            "b": "Le pipeline contient la forêt et le scaler : il ne peut pas être plus petit.",
            "d": "skl2onnx convertit aussi bien un estimateur seul qu'un pipeline.",
        },
        explanation=(
            "Le prétraitement fait partie du modèle. Séparé, il doit être recopié à "
            "l'identique dans le code de service (moyennes, écarts-types…) : au premier "
            "écart, les prédictions sont fausses sans qu'aucune erreur ne le signale."
        ),
        item=ITEM,
    ),
    Question(
        id="03.float32",
        title="Pourquoi l'export ONNX prend une entrée float64",
        text=(
            "Exporté avec une entrée `float32` (le code du chapitre), le pipeline ONNX donne "
            "les mêmes étiquettes que scikit-learn, mais une probabilité s'écarte de deux "
            "centièmes. Pourquoi ?"
        ),
        choices={
            "a": "Parce qu'onnxruntime utilise un autre algorithme de forêt aléatoire.",
            "b": "Parce que l'opérateur `ZipMap` arrondit les probabilités.",
            "c": "Parce qu'ONNX ne sait pas représenter un `StandardScaler`.",
            "d": "Parce que des mesures tombent pile sur les seuils des arbres : arrondies "
            "en float32 avant la normalisation, elles changent de branche dans quelques "
            "arbres.",
        },
        answer="d",
        hints={
            "a": "Le graphe ONNX contient les mêmes arbres, avec les mêmes seuils ; "
            "cherchez plutôt ce qui arrive aux nombres avant qu'ils n'atteignent les arbres.",
            "b": "`ZipMap` change la forme de la sortie (une liste de dictionnaires), pas "
            "les valeurs.",
            "c": "Le scaler est bien dans le graphe ONNX ; c'est la précision de son calcul "
            "qui compte ici.",
        },
        explanation=(
            "Iris est mesuré au millimètre : un seuil à mi-chemin entre 3,0 et 3,2 cm tombe "
            "pile sur 3,1, une valeur présente dans les données. En float32, le dernier bit "
            "décide de la branche. `export_onnx` reproduit donc l'arithmétique de "
            "scikit-learn : entrée et normalisation en float64, float32 juste avant les "
            "arbres."
        ),
        item=ITEM,
    ),
    Question(
        id="03.une-ligne",
        title="Le coût fixe d'un appel",
        text=(
            "Sur une ligne, onnxruntime est des centaines de fois plus rapide que "
            "scikit-learn ; sur 1 000 lignes, quelques fois seulement. Pourquoi l'écart "
            "est-il si grand sur une seule ligne ?"
        ),
        choices={
            "a": "Parce qu'onnxruntime garde en cache les réponses des lignes déjà vues.",
            "b": "Parce que chaque appel à scikit-learn paie un coût fixe (validation de "
            "l'entrée, parcours des arbres un par un en Python) qui domine sur une ligne et "
            "s'amortit sur un lot.",
            "c": "Parce qu'onnxruntime calcule sur le GPU.",
            "d": "Parce que scikit-learn recharge le modèle à chaque appel.",
        },
        answer="b",
        hints={
            "a": "onnxruntime ne garde aucun cache de prédictions : chaque appel recalcule.",
            "c": "Le cours n'utilise que `CPUExecutionProvider`.",
            "d": "Le modèle est en mémoire ; ce qui coûte est ailleurs, et c'est un coût qui "
            "ne dépend pas du nombre de lignes.",
        },
        explanation=(
            "Sur une ligne, presque tout le temps de scikit-learn est un coût fixe par "
            "appel ; onnxruntime exécute un graphe compilé en un seul appel C++. Sur un lot, "
            "le travail utile domine. D'où, pour une API : une session créée une fois, et "
            "des lots vectorisés."
        ),
        item=ITEM,
    ),
)
