"""Drives the sample apiserver with Debian's python3-kubernetes DynamicClient: discovery, create, get, list, patch
(merge and JSON patch), update conflicts, watch and delete, over TLS with a bearer token. Prints a transcript.

Usage: python_client_test.py PORT TOKEN CACHE_DIR
"""
import sys
import threading
import time
import warnings

from kubernetes import client, dynamic
from kubernetes.dynamic import exceptions

warnings.filterwarnings("ignore")  # urllib3's InsecureRequestWarning (the test server's certificate is self-signed)

port, token, cache_dir = sys.argv[1], sys.argv[2], sys.argv[3]
config = client.Configuration()
config.host = f"https://127.0.0.1:{port}"
config.verify_ssl = False
config.api_key = {"authorization": token}
config.api_key_prefix = {"authorization": "Bearer"}
api = dynamic.DynamicClient(client.ApiClient(config), cache_file=f"{cache_dir}/discovery.json")
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def expect_error(error_type, status, reason, fn):
    try:
        fn()
    except error_type as e:
        body = e.body if isinstance(e.body, str) else e.body.decode()
        check(e.status == status and f'"reason":"{reason}"' in body, f"{error_type.__name__} {e.status}: {body.strip()}")
        return
    check(False, f"expected {error_type.__name__}")


# Discovery: the group, the kind, the scope, the short name.
notes = api.resources.get(api_version="notes.example.io/v1", kind="Note")
check(notes.name == "notes" and notes.namespaced and notes.short_names == ["nt"],
      f"discovered {notes.group_version} {notes.kind}: name={notes.name} namespaced={notes.namespaced} "
      f"shortNames={notes.short_names} verbs={sorted(notes.verbs)}")
# A search without api_version would also walk the core group (/api/v1), which this server, like kube's own
# sample-apiserver, does not serve: the Python client then fails with 404. Searching within the group works.
check(api.resources.get(api_version="notes.example.io/v1", short_names=["nt"]).kind == "Note",
      "short name nt resolves to kind Note")

listed = notes.get(namespace="default")
start_rv = listed.metadata.resourceVersion
check(listed.kind == "NoteList" and start_rv is not None, f"list: kind={listed.kind} resourceVersion={start_rv}")

# Watch from the list's resourceVersion in the background while the writes happen.
events = []


def watch():
    for event in notes.watch(namespace="default", resource_version=start_rv, timeout=3):
        events.append((event["type"], event["object"].metadata.name, event["object"].metadata.resourceVersion))


watcher = threading.Thread(target=watch)
watcher.start()
time.sleep(0.3)

created = notes.create(body={"apiVersion": "notes.example.io/v1", "kind": "Note",
                             "metadata": {"name": "first"}, "spec": {"text": "hello from python"}},
                       namespace="default")
check(created.metadata.uid and created.metadata.resourceVersion,
      f"create: uid={created.metadata.uid} resourceVersion={created.metadata.resourceVersion}")
got = notes.get(name="first", namespace="default")
check(got.spec.text == "hello from python", f"get: spec.text={got.spec.text!r}")

patched = notes.patch(name="first", namespace="default", body={"metadata": {"labels": {"k": "v"}}},
                      content_type="application/merge-patch+json")
check(patched.metadata.labels.k == "v", f"merge patch: labels={dict(patched.metadata.labels)}")
patched = notes.patch(name="first", namespace="default",
                      body=[{"op": "replace", "path": "/spec/text", "value": "patched"}],
                      content_type="application/json-patch+json")
check(patched.spec.text == "patched", f"json patch: spec.text={patched.spec.text!r} "
                                      f"resourceVersion={patched.metadata.resourceVersion}")

stale = {"apiVersion": "notes.example.io/v1", "kind": "Note",
         "metadata": {"name": "first", "resourceVersion": created.metadata.resourceVersion}, "spec": {"text": "x"}}
expect_error(exceptions.ConflictError, 409, "Conflict", lambda: notes.replace(body=stale, namespace="default"))
stale["metadata"]["resourceVersion"] = patched.metadata.resourceVersion
replaced = notes.replace(body=stale, namespace="default")
check(replaced.spec.text == "x", f"replace with the current resourceVersion: spec.text={replaced.spec.text!r}")

expect_error(exceptions.ConflictError, 409, "AlreadyExists",
             lambda: notes.create(body={"metadata": {"name": "first"}}, namespace="default"))
expect_error(exceptions.NotFoundError, 404, "NotFound", lambda: notes.get(name="missing", namespace="default"))
expect_error(exceptions.UnprocessibleEntityError, 422, "Invalid",
             lambda: notes.create(body={"spec": {"text": "no name"}}, namespace="default"))

items = notes.get(namespace="default").items
check([i.metadata.name for i in items] == ["first"], f"list: {[i.metadata.name for i in items]}")
deleted = notes.delete(name="first", namespace="default")
check(deleted.status == "Success", f"delete: {deleted.kind} status={deleted.status} details.name={deleted.details.name}")
expect_error(exceptions.NotFoundError, 404, "NotFound", lambda: notes.get(name="first", namespace="default"))

watcher.join(timeout=10)
check(not watcher.is_alive(), "the watch ended at its timeoutSeconds")
print("watch events:", events)
check([e[0] for e in events] == ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"] and
      all(e[1] == "first" for e in events), "watch saw ADDED, MODIFIED x3, DELETED for first")
check([int(e[2]) for e in events] == sorted(int(e[2]) for e in events), "watch events in resourceVersion order")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
