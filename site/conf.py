"""Sphinx configuration of the course's website (`make site`, `mlops-course site`).

The pages are not written here: `mlops_course.courseware.website` gathers them into
`build/site/src/` (README as the home page, the executed lecture notebooks with their
outputs, the exercise statements, the solutions) and runs Sphinx with this folder as its
configuration. Nothing is executed: MyST-NB shows the outputs stored in the notebooks.
"""

from __future__ import annotations

import os

project = "MLOps et mise en production"
author = "mlops-course"
copyright = "mlops-course, licence MIT"
language = "fr"  # French interface and French search (Snowball stemmer, stop words)
# No quote education: the prose already types « » and ’ where it wants them, and docutils'
# French rules turn an apostrophe before markup (l'**entraînement**, l'`API`) into ”.
smartquotes_action = "De"

extensions = ["myst_nb"]
master_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks: never executed here, shown with the outputs of `make notebooks`.
nb_execution_mode = "off"
nb_output_stderr = "show"
nb_merge_streams = True
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# A page whose headings skip a level is not broken: everything else warns, and the build
# runs with -W (a warning fails it): a missing page, a dead link, an unreadable output.
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_title = "MLOps et mise en production"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "repository_url": os.environ.get("MLOPS_COURSE_REPOSITORY", ""),
    "use_repository_button": bool(os.environ.get("MLOPS_COURSE_REPOSITORY")),
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "search_bar_text": "Rechercher dans le cours…",
}
