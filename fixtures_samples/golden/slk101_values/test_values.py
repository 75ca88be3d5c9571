def test_uses(config, names, frozen, pair, make_user, data_dir, fresh, dynamic):
    assert config and names and frozen and pair and make_user and data_dir and fresh and dynamic


def test_numbers(numbers):
    numbers.append(0)  # expect: SLK201
