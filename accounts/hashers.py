"""How passwords are stored: Argon2id at OWASP's recommended parameters.

Django's default, PBKDF2-SHA256 at 1,000,000 iterations, costs about 0.36 s of CPU per sign-in on this
project's 2-core reference machine. A burst of sign-ins (a deploy, a morning rush, the load test's ramp)
was then the single largest CPU cost of the web tier, and a cheap way to load it. Argon2id is memory-hard,
so a GPU or ASIC guessing passwords gains far less over a server than against PBKDF2, and it is the first
choice of OWASP's Password Storage Cheat Sheet and of Django's own documentation. At the cheat sheet's
parameters (19 MiB of memory, 2 passes, 1 lane) a hash or a check costs about 29 ms of CPU there.

Django's ``Argon2PasswordHasher`` defaults to 100 MiB and 8 lanes (about 0.29 s of CPU in all on 2
cores): stronger on paper, but no cheaper than the PBKDF2 it replaces. The parameters are in every hash,
so a hash made with other ones still verifies, and is re-made with these at the user's next sign-in, as
is every PBKDF2 hash of an account made before this hasher (``settings.PASSWORD_HASHERS`` keeps the
older hashers for that).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane (OWASP's recommended configuration)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
