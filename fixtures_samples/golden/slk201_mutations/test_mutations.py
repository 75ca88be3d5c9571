import random
from random import shuffle


def test_append(cfg):
    cfg["users"].append("alice")  # expect: SLK201


def test_item_assignment(cfg):
    cfg["limits"]["max"] = 10  # expect: SLK201


def test_delete(cfg):
    del cfg["users"]  # expect: SLK201


def test_alias(cart):
    basket = cart
    basket.append("apple")  # expect: SLK201


def test_alias_of_part(cfg):
    users = cfg["users"]
    users.extend(["a", "b"])  # expect: SLK201


def test_augmented(account):
    account.balance -= 30  # expect: SLK201


def test_attribute(account):
    account.owner = "bob"  # expect: SLK201


def test_shuffle(cart):
    random.shuffle(cart)  # expect: SLK201
    shuffle(cart)  # expect: SLK201


def test_set_add(tags):
    tags.add("x")  # expect: SLK201


def test_inplace_list(cart):
    cart += ["pear"]  # expect: SLK201


def test_loop_items(cfg):
    for user in cfg["users"]:
        user["seen"] = True  # expect: SLK201


def test_nested_block(cfg):
    if cfg:
        with open(__file__) as f:
            cfg["source"] = f.name  # expect: SLK201


class TestInClass:
    def test_method(self, cart):
        cart.insert(0, "first")  # expect: SLK201
