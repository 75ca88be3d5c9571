def test_admin_name(admin_user):
    assert admin_user == "admin"
