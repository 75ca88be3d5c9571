import os
import unittest

import report


class LocaleTestCase(unittest.TestCase):
    def test_persian_dates(self):
        os.environ["APP_LANG"] = "fa"
        self.assertEqual(report.title(), "گزارش")
