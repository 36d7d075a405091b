#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Minimal XEP-0114 (jabber:component:accept) client for live tests.

usage: xmpp-probe.py --port P --host COMPONENT_JID --secret-file F
                     [--disco TARGET_JID]... [--repeat N --interval S]
                     [--timeout S] [--server ADDR] [-v]

Connects to ADDR:P (default 127.0.0.1) as the external component
COMPONENT_JID, authenticates with <handshake/> (SHA-1 of stream id + secret)
and, with --disco, sends disco#info to TARGET_JID through the server and
prints one line per identity of the answer: "category/type name".
Without --disco it prints "authenticated as COMPONENT_JID".
With --repeat N (a load test), it sends N disco#info, to each TARGET_JID
in turn, one every S seconds, each answered before the next (the timeout
then counts per query), and prints "answered A of N" and one line per
query that was not answered; exit 0 only when all were.

The secret is read from a file (one trailing newline is ignored) so that it
never shows up in argv or in the process list.

Exit status:
  0  ok
  1  protocol trouble: stream closed without an error, bad XML, no answer
     to the stream header or the handshake in time
  2  usage error, unreadable secret file
  3  connect failed (refused, unreachable, timed out)
  4  handshake rejected: the stream error condition is printed
  5  disco#info answered with an error: the stanza error condition is printed
  6  disco#info not answered in time
"""
import argparse
import hashlib
import socket
import sys
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

NS_STREAM = "http://etherx.jabber.org/streams"
NS_COMPONENT = "jabber:component:accept"
# jabberd2's router hands stanzas on to a component in the client namespace
NS_CLIENT = "jabber:client"
NS_STREAMS_ERR = "urn:ietf:params:xml:ns:xmpp-streams"
NS_STANZAS_ERR = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"

EXIT_OK, EXIT_PROTO, EXIT_USAGE, EXIT_CONNECT, EXIT_REJECTED, EXIT_DISCO_ERR, EXIT_DISCO_TIMEOUT = range(7)

PROG = "xmpp-probe"
VERBOSE = False


class Fail(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


class Timeout(Exception):
    pass


class Closed(Exception):
    pass


def debug(direction, data):
    if VERBOSE:
        print("%s %s" % (direction, data), file=sys.stderr)


def q(tag, ns=NS_COMPONENT):
    return "{%s}%s" % (ns, tag)


class Stream:
    """One XML stream over a socket.

    The server's reply is a single XML document that never ends while the
    session lasts, so it is parsed incrementally: depth-1 elements are
    handed out as soon as their end tag arrives.
    """

    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.header = None
        self.pending = []
        self.ended = False

    def send(self, text, shown=None):
        debug("SEND", shown if shown is not None else text)
        self.sock.sendall(text.encode("utf-8"))

    def _pump(self):
        """Read once from the socket and queue what became complete."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Timeout()
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Timeout() from None
        except OSError as e:
            raise Closed("socket error: %s" % e) from None
        if not data:
            raise Closed("connection closed by the server")
        debug("RECV", data.decode("utf-8", "replace"))
        try:
            self.parser.feed(data)
            # newer expat may defer a token until more data arrives; a stream
            # never ends, so ask for it now where Python offers the knob
            if hasattr(self.parser, "flush"):
                self.parser.flush()
            for event, elem in self.parser.read_events():
                self._event(event, elem)
        except ET.ParseError as e:
            raise Fail(EXIT_PROTO, "malformed XML from the server: %s" % e) from None

    def _event(self, event, elem):
        if event == "start":
            if self.depth == 0:
                if elem.tag != q("stream", NS_STREAM):
                    raise Fail(EXIT_PROTO, "expected a stream header, got <%s>" % elem.tag)
                self.header = elem
            self.depth += 1
            return
        self.depth -= 1
        if self.depth == 1:
            self.pending.append(elem)
            self.header.remove(elem)  # keep memory flat on long sessions
        elif self.depth == 0:
            self.ended = True

    def finish(self, grace=2.0):
        """Close our side and let the server close its side, so that it logs
        a clean disconnect rather than a dropped connection."""
        try:
            self.send("</stream:stream>")
            self.deadline = time.monotonic() + grace
            while True:
                self.next_element()
        except (OSError, Closed, Timeout, Fail):
            pass

    def wait_header(self):
        while self.header is None:
            self._pump()
        return self.header

    def next_element(self):
        """Next top-level element; Closed once the stream or socket ends."""
        while not self.pending:
            if self.ended:
                raise Closed("the server closed the stream")
            self._pump()
        return self.pending.pop(0)


def stream_error_text(elem):
    """(condition, text) of a <stream:error/>."""
    cond, text = "undefined-condition", ""
    for child in elem:
        if child.tag == q("text", NS_STREAMS_ERR):
            text = (child.text or "").strip()
        elif child.tag.startswith("{%s}" % NS_STREAMS_ERR):
            cond = child.tag.split("}", 1)[1]
    return cond, text


def stanza_error_text(iq):
    """(type, condition, text) of an <iq type='error'/>."""
    err = iq.find(q("error", iq.tag[1:].split("}", 1)[0]))
    if err is None:
        return "", "undefined-condition", ""
    cond, text = "undefined-condition", ""
    for child in err:
        if child.tag == q("text", NS_STANZAS_ERR):
            text = (child.text or "").strip()
        elif child.tag.startswith("{%s}" % NS_STANZAS_ERR):
            cond = child.tag.split("}", 1)[1]
    return err.get("type", ""), cond, text


def read_secret(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise Fail(EXIT_USAGE, "cannot read the secret file: %s" % e) from None
    if raw.endswith(b"\r\n"):
        raw = raw[:-2]
    elif raw.endswith(b"\n"):
        raw = raw[:-1]
    if not raw:
        raise Fail(EXIT_USAGE, "the secret file %s is empty" % path)
    return raw


def handshake(stream, jid, secret):
    stream.send("<?xml version='1.0'?><stream:stream xmlns='%s' xmlns:stream='%s' to=%s>"
                % (NS_COMPONENT, NS_STREAM, quoteattr(jid)))
    try:
        header = stream.wait_header()
    except Timeout:
        raise Fail(EXIT_PROTO, "no stream header from the server in time") from None
    except Closed as e:
        raise Fail(EXIT_PROTO, "no stream header: %s" % e) from None
    sid = header.get("id")
    if not sid:
        # Prosody sends the error right after an id-less header for an
        # unknown host, so look for it before complaining about the id.
        try:
            elem = stream.next_element()
        except (Timeout, Closed):
            elem = None
        if elem is not None and elem.tag == q("error", NS_STREAM):
            raise Fail(EXIT_REJECTED, "handshake rejected: %s" % ": ".join(filter(None, stream_error_text(elem))))
        raise Fail(EXIT_PROTO, "the stream header has no id")

    # The digest is over bytes: the secret may be any UTF-8.
    digest = hashlib.sha1(sid.encode("utf-8") + secret).hexdigest()
    stream.send("<handshake>%s</handshake>" % digest, "<handshake>(sha1 of id+secret)</handshake>")
    while True:
        try:
            elem = stream.next_element()
        except Timeout:
            raise Fail(EXIT_PROTO, "no answer to the handshake in time") from None
        except Closed as e:
            raise Fail(EXIT_PROTO, "no answer to the handshake: %s" % e) from None
        if elem.tag == q("handshake"):
            return sid
        if elem.tag == q("error", NS_STREAM):
            raise Fail(EXIT_REJECTED, "handshake rejected: %s" % ": ".join(filter(None, stream_error_text(elem))))
        # anything else before the handshake answer is noise; skip it


DISCO_SEQ = [0]


def disco_info(stream, jid, target):
    DISCO_SEQ[0] += 1
    iq_id = "probe-disco-%d-%d" % (int(time.monotonic() * 1000), DISCO_SEQ[0])
    stream.send("<iq type='get' id=%s from=%s to=%s><query xmlns='%s'/></iq>"
                % (quoteattr(iq_id), quoteattr(jid), quoteattr(target), NS_DISCO_INFO))
    while True:
        try:
            elem = stream.next_element()
        except Timeout:
            raise Fail(EXIT_DISCO_TIMEOUT, "disco#info to %s: no answer in time" % target) from None
        except Closed as e:
            raise Fail(EXIT_DISCO_ERR, "disco#info to %s: %s" % (target, e)) from None
        if elem.tag == q("error", NS_STREAM):
            raise Fail(EXIT_DISCO_ERR, "disco#info to %s: stream error %s"
                       % (target, ": ".join(filter(None, stream_error_text(elem)))))
        if elem.tag not in (q("iq"), q("iq", NS_CLIENT)):
            continue
        if elem.get("id") != iq_id:
            refuse_request(stream, jid, elem)
            continue
        kind = elem.get("type")
        if kind == "result":
            query = elem.find("{%s}query" % NS_DISCO_INFO)
            return [] if query is None else query.findall("{%s}identity" % NS_DISCO_INFO)
        etype, cond, text = stanza_error_text(elem)
        raise Fail(EXIT_DISCO_ERR, "disco#info to %s: error %s" % (
            target, " ".join(filter(None, [etype, cond, text and "(%s)" % text]))))


def refuse_request(stream, jid, iq):
    """Answer get/set requests sent to us, as RFC 6120 asks of any entity."""
    if iq.get("type") not in ("get", "set") or not iq.get("from"):
        return
    stream.send("<iq type='error' id=%s from=%s to=%s><error type='cancel'>"
                "<service-unavailable xmlns='%s'/></error></iq>"
                % (quoteattr(iq.get("id", "")), quoteattr(jid), quoteattr(iq.get("from")), NS_STANZAS_ERR))


def load(stream, a, deadline):
    """--repeat: N queries round the targets; each must be answered (a result)."""
    answered = 0
    for i in range(a.repeat):
        target = a.disco[i % len(a.disco)]
        stream.deadline = time.monotonic() + a.timeout
        try:
            disco_info(stream, a.host, target)
            answered += 1
        except Fail as e:
            print("query %d: %s" % (i + 1, e))
            if e.code == EXIT_DISCO_ERR and "stream error" in str(e):
                break
        time.sleep(a.interval)
    print("answered %d of %d" % (answered, a.repeat))
    stream.finish()
    return EXIT_OK if answered == a.repeat else EXIT_DISCO_ERR


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print("%s: %s" % (PROG, message), file=sys.stderr)
        sys.exit(EXIT_USAGE)


def main():
    global VERBOSE
    ap = Parser(prog=PROG, description=__doc__.split("\n", 1)[0],
                epilog="exit status: 0 ok, 1 protocol, 2 usage, 3 connect, 4 rejected, "
                       "5 disco error, 6 disco timeout")
    ap.add_argument("--port", type=int, required=True, help="component port of the server")
    ap.add_argument("--host", required=True, metavar="COMPONENT_JID", help="JID to authenticate as")
    ap.add_argument("--secret-file", required=True, metavar="FILE")
    ap.add_argument("--disco", metavar="TARGET_JID", action="append", help="send disco#info to this JID")
    ap.add_argument("--repeat", type=int, default=0, metavar="N", help="send N disco#info (a load test)")
    ap.add_argument("--interval", type=float, default=0.05, metavar="S", help="between two of --repeat")
    ap.add_argument("--timeout", type=float, default=10.0, metavar="S",
                    help="seconds for the whole exchange (default 10)")
    ap.add_argument("--server", default="127.0.0.1", metavar="ADDR", help="default 127.0.0.1")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the traffic on stderr")
    a = ap.parse_args()
    VERBOSE = a.verbose
    if not 0 < a.port < 65536 or a.timeout <= 0:
        ap.error("--port must be 1-65535 and --timeout positive")

    try:
        secret = read_secret(a.secret_file)
        deadline = time.monotonic() + a.timeout
        try:
            sock = socket.create_connection((a.server, a.port), timeout=a.timeout)
        except OSError as e:
            raise Fail(EXIT_CONNECT, "connect to %s:%d failed: %s" % (a.server, a.port, e)) from None
        with sock:
            stream = Stream(sock, deadline)
            handshake(stream, a.host, secret)
            if a.disco and a.repeat:
                return load(stream, a, deadline)
            if a.disco:
                for ident in disco_info(stream, a.host, a.disco[0]):
                    name = ident.get("name")
                    print("%s/%s%s" % (ident.get("category", "?"), ident.get("type", "?"),
                                       " " + name if name else ""))
            else:
                print("authenticated as %s" % a.host)
            stream.finish()
        return EXIT_OK
    except Fail as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return e.code


if __name__ == "__main__":
    sys.exit(main())
