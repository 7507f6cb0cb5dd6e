"""Chapter 05: the container files of the API, checked with or without a Docker engine.

Taught in notebook 05_docker.

- :func:`hadolint` lints a Dockerfile; :func:`validate_compose` validates a Compose file
  against the Compose specification (offline, with ``check-jsonschema``'s copy);
- :func:`review_dockerfile` and :func:`review_compose` flag what a reviewer would
  (a health check calling curl in an image without curl, a root user, a ``version:`` key...);
- :func:`context_files` lists what ``.dockerignore`` lets into the build context;
- :func:`load_manifests`, :func:`review_manifests` and :func:`review_deployment` read and
  review the Kubernetes manifests of ``deploy/k8s/`` (:mod:`.kubernetes`, with their
  schema validation);
- :func:`docker_available` tells whether a Docker engine answers;
- without an engine, :func:`build_serving_env` builds the environment the image's build
  stage builds (same ``uv export`` selection) and :func:`serve` starts the image's command
  from it; with an engine, :func:`build_image` and :func:`smoke_test_image` run the real image.

The Dockerfile is the single source: package selection, command and health check are read
"""

from __future__ import annotations

from mlops_course.containers.context import (  # noqa: F401
    context_files,
    copy_context,
    dockerignore_patterns,
    is_excluded,
)
from mlops_course.containers.dockerfile import (  # noqa: F401
    Instruction,
    baked_files,
    base_images,
    exec_form,
    export_arguments,
    healthcheck_command,
    image_command,
    image_env,
    parse_dockerfile,
    pruned_packages,
    read_dockerfile,
    run_commands,
    stage_names,
)
from mlops_course.containers.engine import (  # noqa: F401
    build_image,
    cli,
    docker_available,
    smoke_test_image,
)
from mlops_course.containers.files import (  # noqa: F401
    CHAPTER_COMPOSE,
    CHAPTER_DOCKERFILE,
    COMPOSE_FILE,
    CONTAINER_PORT,
    DOCKER_SWITCH,
    DOCKERFILE,
    DOCKERIGNORE,
    KUBERNETES_DIR,
    MONITORING_DIR,
    SAMPLE,
)
from mlops_course.containers.kubernetes import (  # noqa: F401
    load_manifests,
    review_deployment,
    review_manifests,
)
from mlops_course.containers.lint import (  # noqa: F401
    Finding,
    hadolint,
    hadolint_text,
    schema_errors,
    tool,
    validate_compose,
)
from mlops_course.containers.local import (  # noqa: F401
    LocalServer,
    ServingCheck,
    build_serving_env,
    check_serving,
    free_port,
    serve,
    serving_requirements,
)
from mlops_course.containers.review import (  # noqa: F401
    review_compose,
    review_dockerfile,
)
