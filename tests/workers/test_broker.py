"""The workers' Redis transport (workers.broker) sends the BRPOP kombu's would, byte for byte, serves
interactive messages before background ones across sub-queues, and acknowledges through one client."""

from __future__ import annotations

import uuid
from typing import Any

from kombu import Connection, Consumer, Exchange, Queue
from kombu.message import Message
from kombu.transport import redis as kombu_redis
from redis._parsers.encoders import Encoder
from redis.connection import PythonRespSerializer

from bot.jobs.queueing import PRIORITY_BACKGROUND, PRIORITY_INTERACTIVE, queue_family
from workers.broker import TRANSPORT, Transport, packed_brpop, transport_for
from workers.celery_app import worker_config


class SentCommands:
    """A stand-in for the BRPOP connection that keeps what would have been sent, as bytes."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.packer = PythonRespSerializer(6000, Encoder("utf-8", "strict", False).encode)

    def send_command(self, *args: Any, **kwargs: Any) -> None:
        self.sent.append(b"".join(self.packer.pack(*args)))

    def send_packed_command(self, command: list[bytes], check_health: bool = True) -> None:
        self.sent.append(b"".join(command))


class Recorder:
    def __init__(self) -> None:
        self.connection = SentCommands()


def brpop_sent(channel: Any, timeout: int) -> bytes:
    recorder = Recorder()
    channel.__dict__["client"] = recorder  # kombu's cached BRPOP client
    channel._brpop_start(timeout)
    channel._in_poll = None
    [command] = recorder.connection.sent
    return command


def test_brpop_is_packed_as_redis_py_packs_it() -> None:
    names = ["text", "text.7", "text.31\x06\x166", "é"]
    bulks = [b"$%d\r\n%s\r\n" % (len(name.encode()), name.encode()) for name in names]
    packer = PythonRespSerializer(6000, Encoder("utf-8", "strict", False).encode)
    for timeout in (0, 1, 2.5):
        assert packed_brpop(bulks, timeout) == b"".join(packer.pack("BRPOP", *names, timeout))


def test_the_workers_channel_sends_the_brpop_kombus_would_in_the_same_order(redis_url: str) -> None:
    queues = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in queue_family("text")]
    with Connection(redis_url, transport=TRANSPORT) as ours, Connection(redis_url) as kombus:
        mine, theirs = ours.channel(), kombus.channel()
        assert isinstance(mine, Transport.Channel) and not isinstance(theirs, Transport.Channel)
        for channel in (mine, theirs):
            for number, queue in enumerate(queues):
                channel.basic_consume(queue.name, False, lambda message: None, f"consumer-{number}")
            # The queue served last goes to the back: the order changes from one poll to the next.
            channel._queue_cycle.rotate("text.3")
        command = brpop_sent(mine, 1)
        assert command == brpop_sent(theirs, 1)
        assert command.count(b"text") == 4 * len(queues)  # each sub-queue at each priority step


def test_interactive_messages_come_first_and_acks_leave_nothing_unacknowledged(redis_url: str) -> None:
    prefix = f"brokertest-{uuid.uuid4().hex[:8]}"
    queues = [
        Queue(f"{prefix}.{n}", Exchange(f"{prefix}.{n}", type="direct"), routing_key=f"{prefix}.{n}") for n in range(3)
    ]
    got: list[str] = []

    def take(body: dict[str, str], message: Message) -> None:
        got.append(body["job"])
        message.ack()

    with Connection(redis_url, transport=TRANSPORT) as connection:
        producer = connection.Producer()
        sent = [("background", 0, PRIORITY_BACKGROUND), ("interactive", 2, PRIORITY_INTERACTIVE), ("later", 1, 9)]
        for job, number, priority in sent:
            queue = queues[number]
            producer.publish(
                {"job": job}, exchange=queue.exchange, routing_key=queue.routing_key, priority=priority, declare=[queue]
            )
        channel = connection.default_channel
        with Consumer(connection, queues, callbacks=[take], prefetch_count=1):
            while len(got) < len(sent):
                connection.drain_events(timeout=5)
        client = channel.client
        assert got == ["interactive", "background", "later"]
        assert client.hlen(channel.unacked_key) == 0 and client.zcard(channel.unacked_index_key) == 0
        # Three messages recorded and acknowledged through the one client the channel keeps.
        assert channel._acks_client is not None
        for queue in queues:
            queue(channel).delete()


def test_only_plain_redis_brokers_use_the_workers_transport() -> None:
    assert transport_for("redis://127.0.0.1:6379/0") == TRANSPORT
    assert transport_for("rediss://cache.example:6380/0") is None
    assert worker_config("redis://127.0.0.1:6379/15")["broker_transport"] == TRANSPORT
    assert issubclass(Transport, kombu_redis.Transport)
