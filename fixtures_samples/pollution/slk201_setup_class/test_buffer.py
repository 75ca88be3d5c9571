class TestBuffer:
    @classmethod
    def setup_class(self):
        self.buf = []

    def test_write(self):
        self.buf.append("line")
        assert self.buf == ["line"]

    def test_starts_empty(self):
        assert self.buf == []
