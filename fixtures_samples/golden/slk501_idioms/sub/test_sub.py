import pytest


class TestUsers:
    @pytest.fixture(scope="class")
    def users(self, conn):
        return (conn,)

    @pytest.fixture(scope="class")
    def admins(self, users):
        return users

    def test_users(self, users, admins, env, dynamic, offline):
        assert users
