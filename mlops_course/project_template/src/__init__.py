"""Le code ML du projet : données, entraînement, dérive (notebooks 02, 03 et 07 du cours)."""
