"""Les tests du modèle : sa performance et sa robustesse, avant tout déploiement.

À écrire (notebook 06_ci_cd du cours). Les fixtures de ``conftest.py`` vous donnent le
modèle entraîné et ses métriques (``trained``).
"""

# TODO : au moins un test de performance, qui impose un seuil au F1 pondéré (et à
#        l'accuracy) sur le jeu de test, un seuil que vous justifiez dans le README ;
#        et un test de robustesse (une petite perturbation des mesures ne change pas la
#        plupart des prédictions ; des probabilités qui somment à 1).
