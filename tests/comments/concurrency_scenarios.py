"""Parallel comment submissions, runnable in the test process (PostgreSQL) or in a child
process on a production-like SQLite file (the in-memory test database takes no parallel writers).

Each scenario returns the status codes and the stored comment bodies.
"""

import json
import sys
import threading

SCENARIOS = ("captcha_once", "twenty_distinct", "twenty_copies")


def _payloads(name):
    from tests.comments.utils import form_data

    if name == "captcha_once":
        base = form_data()
        return [{**base, "body": f"Paralleler Versuch {i}", "email": f"p{i}@example.org"} for i in range(10)]
    if name == "twenty_distinct":
        return [form_data(body=f"Gleichzeitig {i}", email=f"g{i}@example.org") for i in range(20)]
    return [form_data(body="Doppelt hält nicht besser") for _ in range(20)]


def run(name: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from comments.models import Comment
    from tests.comments.factories import CommentFactory

    post = CommentFactory(status="trash").post  # a post (and its author) without visible comments
    payloads = _payloads(name)
    barrier = threading.Barrier(len(payloads))
    results = [None] * len(payloads)

    def worker(index, data):
        try:
            client = Client()
            barrier.wait(timeout=20)
            results[index] = client.post(reverse("comments:post", args=[post.pk]), data).status_code
        except Exception as error:  # noqa: BLE001 - reported in the results
            results[index] = repr(error)
        finally:
            connection.close()

    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(RATELIMIT_ENABLED=False, STORAGES=storages):
        threads = [threading.Thread(target=worker, args=(i, d)) for i, d in enumerate(payloads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    bodies = list(Comment.objects.filter(post=post).exclude(status="trash").values_list("body", flat=True))
    return {"results": results, "bodies": sorted(bodies)}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(run(sys.argv[1])))
