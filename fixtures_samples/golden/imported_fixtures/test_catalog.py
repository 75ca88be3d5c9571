def test_add(catalog):
    catalog["items"].append("x")  # expect: SLK201
