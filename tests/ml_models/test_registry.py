import subprocess
import sys
import threading

from ml_models import registry
from tests.conftest import PROJECT_ROOT


def test_each_model_loads_once_even_from_many_threads():
    results = []
    threads = [threading.Thread(target=lambda: results.append(registry.embedder())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(model) for model in results}) == 1
    assert registry.detector() is registry.detector()


def test_models_info_reports_name_version_sha_and_input():
    info = registry.models_info()
    assert info["embedder"]["name"] == "facenet"
    assert info["embedder"]["version"] == "20180408-102900"
    assert info["embedder"]["input_size"] == [160, 160, 3]
    assert info["detector"]["version"] == "1.0.0"
    assert all(len(entry["sha256"]) == 64 for entry in info.values())
    assert registry.model_versions()["embedder"] == "facenet-20180408-102900"


def test_django_check_and_ml_imports_do_not_import_tensorflow():
    code = (
        "import sys, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'faceapi.settings'); django.setup();"
        "from django.core.management import call_command; call_command('check');"
        "import ml_models.registry, ml_models.pipeline, ml_models.detection, ml_models.video;"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
