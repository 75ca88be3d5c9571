class TestCart:
    @classmethod
    def setup_class(cls):
        cls.items = []

    def test_add(self):
        self.items.append("apple")
        assert self.items == ["apple"]

    def test_empty(self):
        assert self.items == []
