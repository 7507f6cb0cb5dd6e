"""Questionnaire of notebook 07 (data drift detection and monitoring)."""

from mlops_course.quiz import Question

ITEM = "drift"

QUESTIONS = (
    Question(
        id="07.chi2-effectifs",
        title="Le Chi-2 sur des proportions",
        text=(
            "Le chapitre appelle `stats.chisquare(proportions_production, "
            "proportions_reference)`. Même une colonne oui/non qui passe de 50/50 à 100/0 "
            "ne déclenche rien. Pourquoi ?"
        ),
        choices={
            "a": "Parce que `chisquare` exige des nombres entiers et arrondit les proportions à 0.",
            "b": "Parce que la statistique du Chi-2 grandit avec le nombre d'observations : "
            "des proportions, qui somment à 1, reviennent à tester un échantillon d'une "
            "seule observation.",
            "c": "Parce qu'il faudrait corriger la p-value par la méthode de Holm.",
            "d": "Parce que le Chi-2 ne s'applique qu'aux colonnes numériques.",
        },
        answer="b",
        hints={
            "a": "`chisquare` accepte des nombres décimaux sans rien arrondir ; regardez "
            "plutôt l'ordre de grandeur de la statistique calculée.",
            "c": "Holm rend les p-values plus grandes : il ne ferait jamais apparaître "
            "un drift qu'un test seul ne voit pas.",
            "d": "C'est l'inverse : le Chi-2 compare des catégories ; KS est pour les nombres.",
        },
        explanation=(
            "Le Chi-2 compare des effectifs : 1 000 et 400 observations pèsent 1 000 et "
            "400 fois plus qu'une seule. Sur des proportions, la statistique est divisée par "
            "le nombre de lignes. Le test juste est le Chi-2 d'homogénéité "
            "(`chi2_contingency`) sur le tableau des effectifs des deux échantillons."
        ),
        item=ITEM,
    ),
    Question(
        id="07.nan",
        title="Un seul NaN",
        text=(
            "Une seule valeur manquante sur 500 dans la colonne `age` de production, qui a "
            "pourtant nettement rajeuni. Le détecteur du chapitre fait "
            "`ks_2samp(ref, prod).pvalue < 0.05`. Que conclut-il ?"
        ),
        choices={
            "a": "« Drift » : une valeur manquante est en soi un changement de distribution.",
            "b": "Il lève une exception qui signale la valeur manquante.",
            "c": "« Drift », car `ks_2samp` ignore les valeurs manquantes.",
            "d": "« Pas de drift » : la p-value vaut NaN, et `nan < 0.05` est faux.",
        },
        answer="d",
        hints={
            "a": "Le détecteur du chapitre ne compte pas les manquants ; regardez ce que "
            "rend `ks_2samp` quand il en reçoit un.",
            "b": "Aucune exception : c'est ce qui rend le piège dangereux.",
            "c": "`ks_2samp` n'ignore pas les NaN : il les propage.",
        },
        explanation=(
            "`ks_2samp` rend une p-value NaN, toute comparaison avec NaN est fausse, et le "
            "drift passe inaperçu sans aucun message. Le détecteur juste compte les "
            "manquants (une colonne qui se vide est un problème en soi), puis les retire des "
            "deux côtés avant le test."
        ),
        item=ITEM,
    ),
    Question(
        id="07.taille-effet",
        title="Significatif n'est pas important",
        text=(
            "Sur un million de lignes, une colonne est décalée de 0,01 écart-type, un "
            "changement que personne ne remarquerait. Le test KS donne p = 1e-5. Que faut-il "
            "en faire ?"
        ),
        choices={
            "a": "Ne pas alerter : avec assez de données tout devient significatif ; on "
            "exige aussi une taille d'effet (par exemple Wasserstein / écart-type ≥ 0,1).",
            "b": "Alerter : une p-value aussi petite prouve un drift important.",
            "c": "Réduire l'échantillon à 1 000 lignes pour que la p-value redevienne normale.",
            "d": "Appliquer Holm : la p-value corrigée sera au-dessus de 0,05.",
        },
        answer="a",
        hints={
            "b": "Une p-value dit que la différence existe, pas qu'elle est grande : "
            "demandez-vous de combien la colonne a bougé.",
            "c": "Jeter des données pour changer le verdict, c'est régler le test au hasard "
            "du tirage ; mesurez plutôt l'ampleur du changement.",
            "d": "Holm multiplie la p-value par le nombre de colonnes au plus : même sur 50 "
            "colonnes, 1e-5 reste bien sous 0,05.",
        },
        explanation=(
            "La p-value répond à « la différence est-elle réelle ? », la taille d'effet à "
            "« est-elle assez grande pour compter ? ». Un drift exige les deux : "
            "significatif après correction et un effet au-dessus du seuil."
        ),
        item=ITEM,
    ),
    Question(
        id="07.tests-multiples",
        title="Vingt colonnes, une fausse alerte ?",
        text=(
            "Un détecteur teste 20 colonnes indépendantes, chacune avec la règle `p < 0,05` "
            "et sans correction. Aucune colonne n'a dérivé. Quelle est la probabilité, "
            "**en pourcentage** et arrondie à l'unité, qu'au moins une alerte sonne quand "
            "même ?"
        ),
        answer=64,
        tolerance=1,
        hints={
            5: "5 % est le risque d'une colonne ; il y a 20 occasions de se tromper.",
            100: "Additionner les risques (20 × 5 %) surestime : deux fausses alertes sur "
            "le même lot ne comptent qu'une fois. Passez par l'événement contraire.",
            36: "C'est la probabilité qu'aucune colonne ne sonne ; on demande l'inverse.",
        },
        hint="Calculez d'abord la probabilité qu'aucune des 20 colonnes ne sonne.",
        explanation=(
            "P(aucune alerte) = 0,95²⁰ ≈ 0,36, donc P(au moins une) ≈ 64 %. Avec 50 colonnes, "
            "c'est 92 % : une alerte presque à chaque lot. La correction de Holm ramène ce "
            "risque à 5 % pour le lot entier."
        ),
        item=ITEM,
    ),
    Question(
        id="07.reentrainer",
        title="Quand réentraîner n'est pas la solution",
        text=(
            "Le moniteur signale un drift : depuis une mise à jour du formulaire web, 30 % "
            "des revenus arrivent vides. Que faire **d'abord** ?"
        ),
        choices={
            "a": "Réentraîner tout de suite le modèle sur les données des derniers jours.",
            "b": "Corriger la collecte (le formulaire, le pipeline de données) : c'est une "
            "panne, pas un changement du monde.",
            "c": "Relever le seuil d'alerte pour que le moniteur se taise.",
            "d": "Rien : le détecteur retire les manquants avant ses tests, le modèle ne "
            "verra pas la différence.",
        },
        answer="b",
        hints={
            "a": "Un modèle réentraîné sur des données cassées apprend la panne ; le jour "
            "où le formulaire est réparé, il se trompe de nouveau.",
            "c": "L'alerte a raison : la faire taire cache la panne sans la corriger.",
            "d": "Le détecteur les retire pour son test, mais le modèle, lui, reçoit des "
            "revenus vides à chaque requête.",
        },
        explanation=(
            "Un drift dit que les entrées ont changé, pas pourquoi. Si la cause est une "
            "panne (collecte, capteur, bug d'un pipeline), on la répare ; on ne réentraîne "
            "que si le monde a vraiment changé et que des étiquettes récentes existent."
        ),
        item=ITEM,
    ),
    Question(
        id="07.hysteresis",
        title="Pourquoi de l'hystérésis",
        text=(
            "Le moniteur n'alerte qu'après 3 fenêtres mauvaises **de suite**, et ne résout "
            "l'alerte qu'après 3 fenêtres bonnes de suite. Qu'évite-t-on ainsi ?"
        ),
        choices={
            "a": "Qu'un pic isolé d'une seule fenêtre déclenche une alerte.",
            "b": "Qu'une bonne fenêtre au milieu d'une baisse fasse résoudre puis "
            "redéclencher l'alerte.",
            "c": "Que les fenêtres mauvaises soient enregistrées dans le journal.",
            "d": "Que le moniteur voie une baisse qui dure plus de trois fenêtres.",
        },
        answer=frozenset({"a", "b"}),
        hints={
            "c": "Le journal garde toutes les prédictions ; l'hystérésis ne décide que des "
            "événements d'alerte.",
            "d": "Une baisse durable déclenche bien l'alerte, à la troisième fenêtre.",
        },
        explanation=(
            "Le moniteur du chapitre ajoute une alerte à chaque appel tant que la moyenne "
            "est basse : des centaines d'alertes pour une seule baisse, que l'équipe finit "
            "par ignorer. Avec l'hystérésis, un événement par transition : déclenchée, puis "
            "résolue."
        ),
        item=ITEM,
    ),
    Question(
        id="07.concept-drift",
        title="Le drift que le détecteur ne voit pas",
        text=(
            "Les clients ont les mêmes âges, revenus et habitudes qu'avant, mais leur façon "
            "de décider a changé (la relation entrées → cible n'est plus la même). Qui "
            "s'en aperçoit ?"
        ),
        choices={
            "a": "Le détecteur de data drift, puisque la cible a changé.",
            "b": "Le test du Chi-2 sur les classes prédites.",
            "c": "Seul le suivi de la performance, une fois les vraies étiquettes arrivées : "
            "c'est un concept drift, invisible dans les entrées.",
            "d": "Personne : un modèle ne peut pas se dégrader si ses entrées ne changent pas.",
        },
        answer="c",
        hints={
            "a": "Le détecteur compare les distributions des entrées ; or elles n'ont pas changé.",
            "b": "Les prédictions dépendent des entrées seules : des entrées inchangées "
            "donnent les mêmes classes prédites.",
            "d": "Le modèle a appris une relation qui n'est plus vraie : il se trompe avec "
            "les mêmes entrées.",
        },
        explanation=(
            "Le data drift se voit tout de suite (les entrées suffisent) ; le concept drift "
            "ne se voit qu'en comparant les prédictions aux vraies étiquettes, souvent des jours "
            "plus tard : c'est pourquoi on surveille les deux (accuracy réalisée via "
            "`POST /feedback`)."
        ),
        item=ITEM,
    ),
)
