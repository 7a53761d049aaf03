"""pymap's in-memory IMAP server, taking XOAUTH2 besides PLAIN and LOGIN.

pysasl parses XOAUTH2 but leaves the bearer token to the application (pymap then refuses
it); here the server checks the token itself, as a provider's token endpoint would: the
user named in the SASL response must be the demo user and the token must equal --token.
A wrong token is answered as Gmail documents it: a challenge holding a JSON error, which
the client must acknowledge with an empty response before the server says NO. What the
client answered there goes to --sasl-log (never the token).

    imapserver.py --token TOKEN --sasl-log FILE [pymap's own arguments]
"""
import json
import secrets
import sys

from pysasl import SASLAuth
from pysasl.exception import InvalidResponse
from pysasl.mechanism import ServerChallenge
from pysasl.mechanism.oauth import OAuth2Mechanism
from pymap.backend.dict import Config
import pymap.main


class BearerToken:
    """The credentials of one XOAUTH2 response, valid when its token is the issued one."""

    def __init__(self, user, token, issued):
        self._user = user
        self._token = token
        self._issued = issued

    @property
    def authcid(self):
        return self._user

    @property
    def authzid(self):
        return self._user

    def verify(self, identity):
        return (
            identity is not None
            and identity.compare_authcid(self._user)
            and secrets.compare_digest(self._token.encode(), self._issued.encode())
        )


INVALID_TOKEN = json.dumps(
    {"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"}
).encode()


class CheckedXOAuth2(OAuth2Mechanism):
    def __init__(self, issued, log):
        super().__init__(b"XOAUTH2")
        self._issued = issued
        self._log = log

    def server_attempt(self, responses):
        if not responses:
            raise ServerChallenge(b"")
        match = self._pattern.match(responses[0].response)
        if not match:
            raise InvalidResponse()
        user, token = (part.decode() for part in match.groups())
        valid = secrets.compare_digest(token.encode(), self._issued.encode())
        if not valid and len(responses) == 1:
            raise ServerChallenge(INVALID_TOKEN)
        if len(responses) > 1:
            answer = "empty" if responses[1].response == b"" else "not empty"
            with open(self._log, "a") as log:
                log.write(f"error challenge answered: {answer}\n")
            if answer != "empty":
                raise InvalidResponse()
        return BearerToken(user, token, self._issued), None


def main():
    args = sys.argv[1:]
    own = {}
    for name in ("--token", "--sasl-log"):
        at = args.index(name)
        own[name] = args[at + 1]
        del args[at : at + 2]
    xoauth2 = CheckedXOAuth2(own["--token"], own["--sasl-log"])
    mechanisms = [*SASLAuth.defaults().server_mechanisms, xoauth2]
    Config.tls_auth = property(lambda self: SASLAuth(mechanisms))
    sys.argv = [sys.argv[0], *args]
    pymap.main.main()


if __name__ == "__main__":
    main()
