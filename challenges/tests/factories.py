"""Factories for challenges. A week's challenge defaults to the current challenge week; a
participation's progress and status can be set directly for tests of what the API shows (the rules
that derive them are tested through real activity).

``default_challenges()`` returns the seed's three defaults, installing them if they are missing: a
transactional test elsewhere may have flushed the rows the migration installed."""

import factory

from accounts.tests.factories import UserFactory
from challenges.choices import ChallengeType, ParticipationStatus
from challenges.models import Challenge, Participation, WeeklyChallenge
from challenges.services import DEFAULT_CHALLENGES, challenges_install_defaults
from challenges.weeks import current_week


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    name = factory.Sequence(lambda n: f"Challenge {n}")
    description = factory.Faker("sentence", nb_words=6)
    points = 50
    challenge_type = ChallengeType.FOCUS
    target_value = 3


class WeeklyChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyChallenge

    challenge = factory.SubFactory(ChallengeFactory)
    week_start = factory.LazyFunction(current_week)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    user = factory.SubFactory(UserFactory)
    weekly_challenge = factory.SubFactory(WeeklyChallengeFactory)
    progress = 0
    status = ParticipationStatus.IN_PROGRESS


def default_challenges() -> dict[str, Challenge]:
    """The seed's defaults by challenge type (``shutdown``, ``focus``, ``break``)."""
    challenges_install_defaults()
    names = [definition["name"] for definition in DEFAULT_CHALLENGES]
    return {challenge.challenge_type: challenge for challenge in Challenge.objects.filter(name__in=names)}


def default_instance(challenge_type: str, week=None) -> WeeklyChallenge:
    """The week's instance of a default challenge (this week unless ``week`` is given)."""
    challenge = default_challenges()[challenge_type]
    instance, _ = WeeklyChallenge.objects.get_or_create(challenge=challenge, week_start=week or current_week())
    return instance
