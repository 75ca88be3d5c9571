"""Django rebuilds its storages when an override changes STORAGES, STATIC_ROOT or STATIC_URL."""

from django.contrib.staticfiles import storage
from django.test import SimpleTestCase, override_settings


@override_settings(STORAGES={})
class TestManifest(SimpleTestCase):
    def test_manifest(self):
        storage.staticfiles_storage.manifest_name = "x.json"

    def test_in_block(self):
        with self.settings(STATIC_ROOT="/tmp/static"):
            storage.staticfiles_storage.location = "/tmp"


@override_settings(DEBUG=True)
class TestOther(SimpleTestCase):
    def test_manifest(self):
        storage.staticfiles_storage.manifest_name = "x.json"  # expect: SLK301
