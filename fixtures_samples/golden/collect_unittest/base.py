import unittest


class ProjectCase(unittest.TestCase):
    """A first-party base class: its subclasses are TestCases whatever their names."""

    def assertQuiet(self, value):
        self.assertFalse(value)
