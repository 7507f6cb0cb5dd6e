"""Questionnaire of notebook 08 (good practices and the production checklist as an audit)."""

from mlops_course.quiz import Question

ITEM = "bonnes-pratiques"

QUESTIONS = (
    Question(
        id="08.gitignore-trop-tard",
        title="Ignorer un fichier déjà committé",
        text=(
            "`data/clients.csv` a été committé il y a un mois. Vous ajoutez `data/` au "
            "`.gitignore` et committez. Que devient le fichier ?"
        ),
        choices={
            "a": "git le retire du dépôt au commit suivant.",
            "b": "Il disparaît aussi de l'historique.",
            "c": "Il reste suivi par git : il faut `git rm --cached data/clients.csv`, et il "
            "reste de toute façon dans l'historique.",
            "d": "Il est supprimé du disque.",
        },
        answer="c",
        hints={
            "a": "Le `.gitignore` ne concerne que les fichiers non suivis ; celui-ci l'est déjà.",
            "b": "Aucun fichier ne s'efface de l'historique sans réécrire cet historique.",
            "d": "git ne supprime jamais un fichier de votre disque à cause du `.gitignore`.",
        },
        explanation=(
            "Le `.gitignore` empêche d'ajouter ; il ne retire rien. C'est pourquoi l'audit "
            "vérifie les fichiers suivis, pas le contenu du `.gitignore`."
        ),
        item=ITEM,
    ),
    Question(
        id="08.secret",
        title="Un mot de passe committé",
        text=(
            "Un mot de passe de base de données a été committé, puis retiré du code dans le "
            "commit suivant. Que faut-il encore faire ?"
        ),
        choices={
            "a": "Rien : le fichier actuel ne le contient plus.",
            "b": "Le changer (le révoquer) : il reste lisible dans l'historique, et peut-être "
            "dans des clones.",
            "c": "Ajouter le fichier au `.gitignore`.",
            "d": "Rendre le dépôt privé.",
        },
        answer="b",
        hints={
            "a": "`git log -p` le montre toujours, à qui a accès au dépôt ou à un clone.",
            "c": "Le `.gitignore` n'efface rien de l'historique, et le code doit rester versionné.",
            "d": "Les clones existants et les personnes qui y ont accès le gardent.",
        },
        explanation=(
            "Un secret publié est compromis : on le révoque et on en crée un autre, lu dans "
            "l'environnement (variables d'environnement, `.env` hors de git, gestionnaire de "
            "secrets)."
        ),
        item=ITEM,
    ),
    Question(
        id="08.modeles-hors-git",
        title="Les modèles hors de git",
        text=(
            "Pourquoi les modèles sérialisés (`model/*.onnx`, `*.joblib`) ne vont-ils pas dans "
            "git ?"
        ),
        choices={
            "a": "Parce que git ne sait pas stocker de fichiers binaires.",
            "b": "Parce que ce sont de gros binaires qui alourdissent chaque clone, et qu'ils "
            "se versionnent mieux ailleurs (registry MLflow, DVC, stockage objet) avec leurs "
            "métriques et leur provenance.",
            "c": "Parce qu'un modèle change à chaque exécution du notebook.",
            "d": "Pour que personne ne puisse les réutiliser.",
        },
        answer="b",
        hints={
            "a": "git stocke très bien des binaires ; c'est ce que cela coûte, et ce qu'on "
            "perd, qui pose problème.",
            "c": "Avec une graine fixée, le même entraînement redonne le même modèle ; ce "
            "n'est pas la raison.",
            "d": "Au contraire : un registry les rend plus faciles à retrouver et à charger.",
        },
        explanation=(
            "git garde toutes les versions de tous les fichiers : chaque modèle committé "
            "pèse à jamais sur chaque clone. Un registry garde le modèle avec son run, ses "
            "métriques, ses alias et ses empreintes."
        ),
        item=ITEM,
    ),
    Question(
        id="08.preprocessing",
        title="Un prétraitement recopié",
        text=(
            "Dans un projet, l'API normalise les entrées avec une moyenne et un écart-type "
            "recopiés à la main, et le fichier du modèle ne contient que la forêt. Quel est "
            "le risque ?"
        ),
        choices={
            "a": "Aucun, tant que les valeurs recopiées sont justes aujourd'hui.",
            "b": "Une API plus lente, à cause de la normalisation.",
            "c": "Une erreur 422 dès que les moyennes changent.",
            "d": "Au prochain réentraînement, les constantes recopiées ne correspondront "
            "plus au modèle : des prédictions fausses, sans aucune erreur.",
        },
        answer="d",
        hints={
            "a": "« Aujourd'hui » est le mot clé : que se passe-t-il quand le modèle est "
            "réentraîné sur d'autres données ?",
            "b": "Normaliser quatre nombres coûte des nanosecondes ; le risque est sur la "
            "justesse, pas la vitesse.",
            "c": "Rien ne vérifie que les constantes correspondent au modèle : aucune erreur "
            "ne sera levée.",
        },
        explanation=(
            "C'est l'erreur classique « preprocessing séparé du modèle » : aucune règle "
            "automatique ne la voit (l'audit la laisse à la revue de code). Un pipeline "
            "scikit-learn complet garde ensemble la normalisation et le modèle."
        ),
        item=ITEM,
    ),
    Question(
        id="08.audit-en-ci",
        title="Une checklist qui s'exécute",
        text=(
            "Pourquoi transformer la checklist de mise en production en un audit "
            "(`mlops-course audit .`) lancé par la CI, plutôt que la garder dans un "
            "document ?"
        ),
        choices={
            "a": "Parce qu'un audit automatique remplace toute revue de code.",
            "b": "Parce qu'une checklist écrite s'oublie, alors qu'un audit lancé à chaque "
            "commit échoue dès qu'un point régresse, avec la raison et la correction.",
            "c": "Parce que GitHub exige un audit avant de fusionner une pull request.",
            "d": "Pour que le projet atteigne automatiquement le niveau 3 de maturité.",
        },
        answer="b",
        hints={
            "a": "Certains points (le prétraitement séparé du modèle) n'ont pas de règle "
            "simple et restent à la revue de code.",
            "c": "GitHub n'exige rien de tel : c'est le projet qui décide de ses portes.",
            "d": "Un audit vérifie des pratiques ; il n'en ajoute aucune.",
        },
        explanation=(
            "« Automatisez tout ce qui peut l'être, documentez le reste. » Une vérification "
            "qui tourne à chaque commit ne dépend plus de la mémoire de quelqu'un."
        ),
        item=ITEM,
    ),
    Question(
        id="08.ne-sait-pas",
        title="« cannot tell »",
        text=(
            "Sur certains projets, une vérification de l'audit répond `cannot tell` (par "
            "exemple : pas de dépôt git pour savoir quels fichiers sont suivis). Pourquoi ne "
            "pas répondre `pass` dans ce cas ?"
        ),
        choices={
            "a": "Parce que « je ne sais pas » n'est pas « c'est bon » : un `pass` par "
            "défaut cacherait justement les projets les moins outillés.",
            "b": "Parce que `cannot tell` fait échouer la CI à coup sûr.",
            "c": "Parce qu'un audit ne doit jamais répondre `pass`.",
            "d": "Pour que l'audit s'exécute plus vite.",
        },
        answer="a",
        hints={
            "b": "Le code de sortie n'échoue que si un point obligatoire échoue ; la "
            "question porte sur ce que l'on affirme.",
            "c": "L'audit répond `pass` quand il a pu vérifier le point.",
            "d": "La vitesse n'entre pas en jeu : c'est une question d'honnêteté du verdict.",
        },
        explanation=(
            "Un outil de contrôle ne doit jamais confondre absence de preuve et preuve : le "
            "même principe fait dire au détecteur de drift « données insuffisantes » plutôt "
            "que « pas de drift »."
        ),
        item=ITEM,
    ),
)
