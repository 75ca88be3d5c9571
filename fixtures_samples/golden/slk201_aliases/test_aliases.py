import pytest


def test_closure(state):
    def bump():
        state["count"] += 1  # expect: SLK201

    bump()


def test_lambda_callback(state):
    callbacks = [lambda: state["items"].append({"flag": True})]  # expect: SLK201
    for cb in callbacks:
        cb()


def test_loop_variable(state):
    for item in state["items"]:
        item["flag"] = True  # expect: SLK201


def test_unpacking(loaded):
    data, meta = loaded
    data.pop("extra")  # expect: SLK201


def test_rebound_first(state):
    state = dict(state)
    state["count"] = 10


class TestSelfAlias:
    @pytest.fixture(autouse=True)
    def _bind(self, state):
        self.state = state

    def test_write_through_self(self):
        self.state["count"] = 99  # expect: SLK201


@pytest.mark.parametrize("dtype_dict", [{"name": "f8", "itemsize": 8}])
@pytest.mark.parametrize("order", ["C", "F"])
def test_parametrize_mutable(dtype_dict, order):
    dtype_dict.pop("itemsize")  # expect: SLK201
