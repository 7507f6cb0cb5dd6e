"""mlops_course: the package behind the notebooks of "MLOps et Mise en Production".

One module per stage of the lifecycle the chapter teaches (``data``, ``training``,
``tracking``, ``serialization``, ``api``, ``drift``, ``monitoring``, ``audit``), plus
``checks`` (the notebooks' self-checks) and ``courseware`` (the notebook harness).
Importing the package does no work: every module loads its heavy dependencies itself.
"""

__version__ = "0.1.0"
