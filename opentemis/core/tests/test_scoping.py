import pytest
from django.core.exceptions import ImproperlyConfigured

from opentemis.core.scoping import (
    Scope,
    ScopeError,
    actor_scope,
    minimal_prefixes,
    scope_for_user,
    system_scope,
)
from opentemis.orgs.models import Unit
from opentemis.staff.models import Person


def test_query_without_scope_raises(world):
    with pytest.raises(ScopeError):
        list(Person.objects.all())


def test_actor_scope_limits_to_subtree(world):
    with actor_scope(world.principal_b1):
        names = set(Person.objects.values_list("full_name", flat=True))
    assert names == {"Lê Văn Bình", "Phạm Minh Đức"}


def test_officer_sees_whole_province_not_other(world):
    with actor_scope(world.officer_a):
        codes = set(Unit.objects.values_list("code", flat=True))
    assert codes == {"SA", "SA-X1", "SA-TH1", "SA-THCS1"}


def test_user_without_roles_sees_nothing(world, django_user_model):
    lonely = django_user_model.objects.create_user(username="lonely", password="x")
    with actor_scope(lonely):
        assert Person.objects.count() == 0


def test_scope_comes_from_the_configured_resolver_and_fails_closed_without_it(world, settings):
    # core imports no app: the role paths come from the function the settings name.
    settings.SCOPE_PATHS_RESOLVER = "opentemis.accounts.permissions.scope_paths"
    assert scope_for_user(world.principal_b1).paths == (world.school_b1.path,)
    del settings.SCOPE_PATHS_RESOLVER
    fresh = type(world.principal_b1).objects.get(pk=world.principal_b1.pk)
    with pytest.raises(ImproperlyConfigured):
        scope_for_user(fresh)


def test_system_scope_sees_everything(world):
    with system_scope():
        assert Person.objects.count() == 5


def test_minimal_prefixes_drops_covered_paths():
    assert minimal_prefixes(["0001", "00010002", "0003", "00030001"]) == ("0001", "0003")


def test_narrowed_is_the_intersection_of_subtrees():
    scope = Scope(paths=("0001", "0002"))
    assert scope.narrowed(None) == scope
    assert scope.narrowed(("00010003", "0003")).paths == ("00010003",)
    assert scope.narrowed(("00",)).paths == ("0001", "0002")
    assert Scope(everything=True).narrowed(("0005",)).paths == ("0005",)
    assert scope.narrowed(()).paths == ()


def test_within_never_widens_the_scope(world):
    with actor_scope(world.principal_b1):
        # Asking for province A from inside province B's scope gives nothing.
        assert Person.objects.within((world.province_a.path,)).count() == 0
        assert Person.objects.within(None).count() == 2
    with pytest.raises(ScopeError):
        Person.objects.within(None)
