"""mlops_course: the package behind the notebooks of "MLOps et Mise en Production".

Every notebook (01 to 09) calls it as "the production version" of what it teaches, one
concept per module, named after the chapter's table of contents (see CONTRIBUTING.md).

``checks`` holds the notebooks' self-checks and ``courseware`` the notebook harness.
Importing the package does no work: every module loads its heavy dependencies itself.
"""

__version__ = "0.1.0"
