"""pymap's in-memory IMAP server, taking XOAUTH2 besides PLAIN and LOGIN.

pysasl parses XOAUTH2 but leaves the bearer token to the application (pymap then refuses
it); here the server checks the token itself, as a provider's token endpoint would: the
user named in the SASL response must be the demo user and the token must equal --token.
A wrong token is answered as Gmail documents it: a challenge holding a JSON error, which
the client must acknowledge with an empty response before the server says NO. What the
client answered there goes to --sasl-log (never the token).

With --gmail the server also speaks the part of Gmail's IMAP extension the round trip uses
(https://developers.google.com/gmail/imap/imap-extensions): it advertises `X-GM-EXT-1` and
takes the `X-GM-RAW` search key, whose argument is a Gmail search query. Of Gmail's search
operators it answers `category:NAME` (primary, social, promotions, updates, forums; several
terms must all hold, as in Gmail); a message's category is what its X-Test-Category header
says (the test host writes it on delivery), and Primary when it has none. Any other query
is refused with NO rather than answered wrongly. Without --gmail, X-GM-RAW is answered BAD,
as by any server without the extension. Each X-GM-RAW query asked, with or without
--gmail, goes to --search-log (`searched: QUERY` or `refused: QUERY`).

    imapserver.py --token TOKEN --sasl-log FILE --search-log FILE [--gmail]
                  [pymap's own arguments]
"""
import json
import secrets
import sys

from pysasl import SASLAuth
from pysasl.exception import InvalidResponse
from pysasl.mechanism import ServerChallenge
from pysasl.mechanism.oauth import OAuth2Mechanism
from pymap.backend.dict import Config
from pymap.config import BackendCapability
from pymap.exceptions import SearchNotAllowed
from pymap.parsing import Space
from pymap.parsing.exceptions import NotParseable
from pymap.parsing.primitives import Atom
from pymap.parsing.specials import SearchKey
from pymap.parsing.specials.astring import AString
from pymap.parsing.specials.fetchattr import FetchRequirement
from pymap.search import SearchCriteria
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


GMAIL_CATEGORIES = ("primary", "social", "promotions", "updates", "forums")


class GmailRawKey(SearchKey):
    """`X-GM-RAW "query"`: reads the message's header, for its category."""

    @property
    def requirement(self):
        return FetchRequirement.HEADER


class GmailRawCriteria(SearchCriteria):
    """Matches the messages every `category:NAME` term of the query holds."""

    def __init__(self, key, params):
        super().__init__(params)
        self.categories = set()
        for term in key.filter_str.split():
            operator, _, name = term.partition(":")
            if operator.lower() != "category" or name.lower() not in GMAIL_CATEGORIES:
                raise SearchNotAllowed(key)
            self.categories.add(name.lower())

    def matches(self, msg_seq, msg, loaded_msg):
        values = loaded_msg.get_header(b"X-Test-Category")
        category = str(values[0]).strip().lower() if values else "primary"
        return self.categories <= {category}


def watch_gmail_searches(gmail, log):
    """Takes X-GM-RAW in SEARCH when `gmail` (and advertises X-GM-EXT-1 after login);
    without it, answers X-GM-RAW BAD as any server without the extension. Either way each
    X-GM-RAW query asked goes to `log`, so a test sees what a client asked."""
    if gmail:
        Config.backend_capability = property(
            lambda self: BackendCapability(
                idle=True, object_id=True, multi_append=True, custom=[b"X-GM-EXT-1"]
            )
        )
    parse_key = SearchKey.parse.__func__

    def parse(cls, buf, params):
        try:
            return parse_key(cls, buf, params)
        except NotParseable:
            start = buf
            try:
                _, buf = Space.parse(buf, params)
            except NotParseable:
                pass
            atom, after = Atom.parse(buf, params)
            if atom.value.upper() != b"X-GM-RAW":
                raise NotParseable(start)
            _, after = Space.parse(after, params)
            query, after = AString.parse(after, params)
            query = query.value.decode("utf-8")
            with open(log, "a") as out:
                out.write(f"{'searched' if gmail else 'refused'}: {query}\n")
            if not gmail:
                raise NotParseable(start)
            return GmailRawKey(b"X-GM-RAW", query), after

    SearchKey.parse = classmethod(parse)
    criteria_of = SearchCriteria.of.__func__

    def of(cls, key, params):
        if key.value == b"X-GM-RAW":
            return GmailRawCriteria(key, params)
        return criteria_of(cls, key, params)

    SearchCriteria.of = classmethod(of)


def main():
    args = sys.argv[1:]
    gmail = "--gmail" in args
    if gmail:
        args.remove("--gmail")
    own = {}
    for name in ("--token", "--sasl-log", "--search-log"):
        at = args.index(name)
        own[name] = args[at + 1]
        del args[at : at + 2]
    watch_gmail_searches(gmail, own["--search-log"])
    xoauth2 = CheckedXOAuth2(own["--token"], own["--sasl-log"])
    mechanisms = [*SASLAuth.defaults().server_mechanisms, xoauth2]
    Config.tls_auth = property(lambda self: SASLAuth(mechanisms))
    sys.argv = [sys.argv[0], *args]
    pymap.main.main()


if __name__ == "__main__":
    main()
