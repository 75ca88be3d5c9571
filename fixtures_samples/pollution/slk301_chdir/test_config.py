import configparser


def test_reads_default_config():
    parser = configparser.ConfigParser()
    assert parser.read("data/config.ini") == ["data/config.ini"]
    assert parser["app"]["name"] == "demo"
