#!/usr/bin/env python3
"""A local AWS for tests: moto 5.x plus a small patch layer for ECS deployments.

Usage:
    python3 local_aws.py --host 127.0.0.1 --port N [--rollout-seconds S]

moto models ECS resources but not deployments. This launcher imports moto,
patches its ECS backend so deployments and the tasks of services behave the
way the ECS API reference describes them, serves everything with
``moto.server.ThreadedMotoServer`` and blocks until SIGTERM/SIGINT. Every
patch names the moto gap it closes.

Control endpoints (not AWS APIs, only for tests):
    GET  /_local-aws/health                  -> {"ok": true, ...}
    POST /_local-aws/ecs/fail-next-rollout   -> the next rollout fails
    POST /_local-aws/reset                   -> wipe moto state and this layer's state

See ../README.md for what is and is not modelled.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import math
import os
import random
import signal
import sys
import threading
import uuid
from datetime import datetime, timezone
from typing import Any

try:
    from moto.core.exceptions import ServiceException
    from moto.ecs import models as ecs_models
    from moto.s3 import models as s3_models
    from moto.ecs.responses import DESCRIBE_TASKS_TAGS, EC2ContainerServiceResponse
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server
except ImportError as exc:  # pragma: no cover - reported to the TS launcher
    sys.stderr.write(
        f"local-aws: cannot import moto ({exc}). Install it with "
        "`pip install 'moto[server]>=5.1'`.\n"
    )
    sys.exit(3)

Backend = ecs_models.EC2ContainerServiceBackend

_LOCK = threading.RLock()


class _State:
    rollout_seconds: float = 2.0
    fail_next_rollouts: int = 0
    timers: list[threading.Timer] = []
    # serviceDeploymentArn -> (service, service deployment dict)
    service_deployments: dict[str, tuple[Any, dict[str, Any]]] = {}
    # serviceRevisionArn -> (service, ServiceRevision dict)
    service_revisions: dict[str, tuple[Any, dict[str, Any]]] = {}


STATE = _State()


class ConflictException(ServiceException):
    code = "ConflictException"


class ServiceDeploymentNotFoundException(ServiceException):
    code = "ServiceDeploymentNotFoundException"


class InvalidParameterException(ServiceException):
    code = "InvalidParameterException"


class ClientException(ServiceException):
    code = "ClientException"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _digits() -> str:
    return str(random.randint(10**18, 10**19 - 1))


def _task_id() -> str:
    return uuid.uuid4().hex


def _partition_region_account(service: Any) -> tuple[str, str, str]:
    # service.arn is arn:<partition>:ecs:<region>:<account>:service/...
    parts = service.arn.split(":")
    return parts[1], parts[3], parts[4]


def _revision_arn(service: Any, digits: str) -> str:
    p, r, a = _partition_region_account(service)
    return f"arn:{p}:ecs:{r}:{a}:service-revision/{service.cluster_name}/{service.name}/{digits}"


def _service_deployment_arn(service: Any) -> str:
    p, r, a = _partition_region_account(service)
    sd_id = "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(21))
    return f"arn:{p}:ecs:{r}:{a}:service-deployment/{service.cluster_name}/{service.name}/{sd_id}"


def _event(service: Any, message: str) -> None:
    # Real ECS: `events` holds the latest 100 service event messages, newest
    # first. moto never writes any.
    service.events.insert(
        0, {"id": str(uuid.uuid4()), "createdAt": _now(), "message": f"(service {service.name}) {message}"}
    )
    del service.events[100:]


def _circuit_breaker(service: Any) -> dict[str, Any]:
    config = getattr(service, "deployment_configuration", None) or {}
    return config.get("deploymentCircuitBreaker") or {"enable": False, "rollback": False}


def _failure_threshold(desired: int) -> int:
    # ECS API reference / developer guide: the circuit breaker's failed-task
    # threshold is 0.5 x desiredCount, at least 3 and at most 200.
    return min(200, max(3, math.ceil(desired * 0.5)))


# --- service tasks ------------------------------------------------------------
#
# moto gap: services launch no tasks, so ListTasks(serviceName) and
# DescribeTasks show nothing for a service. Real ECS: the service scheduler
# runs `desiredCount` tasks of the PRIMARY deployment's task definition, each
# with `startedBy` = the deployment id and `group` = `service:<name>`; tasks
# it replaces or that fail stay visible as STOPPED for about an hour. The
# tasks below live in moto's own task store (`backend.tasks`), so moto's
# StopTask and the patched ListTasks/DescribeTasks see them.

STOPPED_TASK_RETENTION_SECONDS = 3600
SCALING_STOP_CODE = "ServiceSchedulerInitiated"
ESSENTIAL_EXIT_STOP_CODE = "EssentialContainerExited"
ESSENTIAL_EXIT_REASON = "Essential container in task exited"


def _scaling_reason(dep_id: str) -> str:
    return f"Scaling activity initiated by (deployment {dep_id})"


class _TaskContainer:
    """A Container of DescribeTasks (attribute names as moto's serializer reads them)."""

    def __init__(self, task: "ServiceTask", definition: dict[str, Any]) -> None:
        self.container_arn = (
            f"arn:{task._partition}:ecs:{task.region_name}:{task._account_id}:container/"
            f"{task.cluster_name}/{task.id}/{uuid.uuid4()}"
        )
        self.task_arn = task.task_arn
        self.name = definition.get("name")
        self.image = definition.get("image")
        self.runtime_id = f"{task.id}-{random.randint(10**9, 10**10 - 1)}"
        self.last_status = "PENDING"
        self.exit_code: int | None = None
        self.reason: str | None = None
        # Real ECS: UNKNOWN when the container definition has no health check.
        self.has_health_check = bool(definition.get("healthCheck"))
        self.essential = definition.get("essential", True) is not False
        self.health_status = "UNKNOWN"
        self.cpu = str(definition["cpu"]) if definition.get("cpu") is not None else None
        self.memory = str(definition["memory"]) if definition.get("memory") is not None else None
        self.network_bindings: list[Any] = []
        self.network_interfaces: list[Any] = []


class ServiceTask(ecs_models.Task):
    """A task started by the service scheduler for one deployment.

    Unlike moto's RunTask tasks, whose lastStatus advances one step every time
    DescribeTasks reads them, these change state only when the layer moves the
    rollout on, like a service task that keeps running until replaced.
    """

    # moto's model metaclass files every model under the service named by the
    # module path (`moto.<service>.…`); this one belongs to ECS.
    __module__ = "moto.ecs.local_aws"

    def __init__(self, service: Any, dep: dict[str, Any], task_definition: Any, az: str) -> None:
        # moto's Task.__init__ is skipped on purpose: it creates an EC2 ENI per
        # awsvpc task that nothing would delete, and models only the first container.
        partition, region, account = _partition_region_account(service)
        self.id = _task_id()
        self._partition = partition
        self._account_id = account
        self._backend = service._backend
        self._service = service
        self.region_name = region
        self.cluster_name = service.cluster_name
        self.cluster_arn = service.cluster_arn
        self.container_instance_arn = None
        self.resource_requirements = None
        self.task_definition_arn = task_definition.arn
        self.started_by = dep["id"]
        self.group = f"service:{service.name}"
        self.launch_type = dep.get("launchType") or service.launch_type or "FARGATE"
        self.platform_version = dep.get("platformVersion") or ("1.4.0" if self.launch_type == "FARGATE" else None)
        self.platform_family = "Linux" if self.launch_type == "FARGATE" else None
        self.cpu = task_definition.cpu
        self.memory = task_definition.memory
        self.availability_zone = az
        self.overrides = {
            "containerOverrides": [{"name": c.get("name")} for c in task_definition.container_definitions],
            "inferenceAcceleratorOverrides": [],
        }
        self.tags: list[dict[str, str]] = []
        self.attachments: list[dict[str, Any]] = []
        self.enable_execute_command = False
        self.desired_status = "RUNNING"
        self._last_status = "PENDING"
        self.health_status = "UNKNOWN"
        self.connectivity = None
        self.connectivity_at = None
        self.version = 1
        now = _now()
        self.created_at = now
        self.pull_started_at = None
        self.pull_stopped_at = None
        self.started_at = None
        self.stopping_at = None
        self.execution_stopped_at = None
        self.stopped_at = None
        self.stopped_reason: str | None = None
        self.stop_code: str | None = None
        self.containers = [_TaskContainer(self, d) for d in task_definition.container_definitions]

    @property
    def last_status(self) -> str:
        return self._last_status

    @last_status.setter
    def last_status(self, value: str) -> None:
        self._last_status = value

    @property
    def status(self) -> str:  # moto's ManagedState name for lastStatus
        return self._last_status

    @status.setter
    def status(self, value: str) -> None:
        self._last_status = value

    def advance(self) -> None:
        pass

    @property
    def task_arn(self) -> str:
        # Real accounts have used the long ARN format (with the cluster) since 2021.
        return f"arn:{self._partition}:ecs:{self.region_name}:{self._account_id}:task/{self.cluster_name}/{self.id}"

    @property
    def active(self) -> bool:
        return self.desired_status == "RUNNING" and self._last_status != "STOPPED"

    def start(self) -> None:
        now = _now()
        self._last_status = "RUNNING"
        self.connectivity = "CONNECTED"
        self.connectivity_at = self.connectivity_at or now
        self.pull_started_at = self.pull_started_at or now
        self.pull_stopped_at = self.pull_stopped_at or now
        self.started_at = now
        for c in self.containers:
            c.last_status = "RUNNING"
            c.health_status = "HEALTHY" if c.has_health_check else "UNKNOWN"
        self.health_status = _task_health(self.containers)
        self.version += 1

    def stop(self, reason: str, stop_code: str, exit_code: int | None, failed_container: str | None = None) -> None:
        """`exit_code` for containers that ran (None for a task that never started)."""
        now = _now()
        ran = self.started_at is not None
        self.desired_status = "STOPPED"
        self._last_status = "STOPPED"
        self.stopped_reason = reason
        self.stop_code = stop_code
        self.stopping_at = now
        self.execution_stopped_at = now if ran else None
        self.stopped_at = now
        self.connectivity = None if not ran else self.connectivity
        self.health_status = "UNKNOWN"
        for c in self.containers:
            c.last_status = "STOPPED"
            c.health_status = "UNKNOWN"
            if ran:
                c.exit_code = exit_code if (failed_container is None or c.name == failed_container) else 0
        self.version += 1


def _task_health(containers: list[_TaskContainer]) -> str:
    # ECS API reference (Task.healthStatus): decided by the essential containers
    # that have a health check; UNKNOWN when none has one.
    checked = [c for c in containers if c.essential and c.has_health_check]
    if not checked:
        return "UNKNOWN"
    if any(c.health_status == "UNHEALTHY" for c in checked):
        return "UNHEALTHY"
    if all(c.health_status == "HEALTHY" for c in checked):
        return "HEALTHY"
    return "UNKNOWN"


def _manages_tasks(service: Any) -> bool:
    return bool(getattr(service, "_la_tasks", False))


def _tasks_of(service: Any) -> list[ServiceTask]:
    store = service._backend.tasks.get(service.cluster_name, {})
    return [t for t in list(store.values()) if isinstance(t, ServiceTask) and t._service is service]


def _availability_zone(service: Any, index: int) -> str:
    """Zone of the index-th task: round robin over the service's subnets, like ECS's default AZ spread."""
    subnets = ((service.network_configuration or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
    _, region, account = _partition_region_account(service)
    if not subnets:
        return f"{region}a"
    try:
        from moto.ec2.models import ec2_backends

        return ec2_backends[account][region].get_subnet(subnets[index % len(subnets)]).availability_zone
    except Exception:  # a subnet moto no longer knows: still place the task
        return f"{region}a"


def _prune_stopped(service: Any) -> None:
    # Real ECS shows stopped tasks for at least an hour, then forgets them.
    store = service._backend.tasks.get(service.cluster_name, {})
    cutoff = _now().timestamp() - STOPPED_TASK_RETENTION_SECONDS
    for arn in [a for a, t in list(store.items()) if isinstance(t, ServiceTask) and t.stopped_at and t.stopped_at.timestamp() < cutoff]:
        del store[arn]


def _launch(service: Any, dep: dict[str, Any], count: int) -> list[ServiceTask]:
    """Start `count` PENDING tasks of `dep`'s task definition."""
    if count <= 0:
        return []
    _prune_stopped(service)
    backend = service._backend
    task_definition = backend.describe_task_definition(dep["taskDefinition"])
    store = backend.tasks.setdefault(service.cluster_name, {})
    offset = len([t for t in _tasks_of(service) if t.active])
    tasks = []
    for i in range(count):
        task = ServiceTask(service, dep, task_definition, _availability_zone(service, offset + i))
        store[task.task_arn] = task
        tasks.append(task)
    return tasks


def _active_tasks(service: Any, dep_id: str | None = None) -> list[ServiceTask]:
    return [t for t in _tasks_of(service) if t.active and (dep_id is None or t.started_by == dep_id)]


def _sync_counts(service: Any) -> None:
    """Deployment and service running/pending counts, from the tasks (as ECS reports them)."""
    if not _manages_tasks(service):
        return
    active = _active_tasks(service)
    for dep in service.deployments:
        mine = [t for t in active if t.started_by == dep["id"]]
        dep["runningCount"] = sum(1 for t in mine if t.last_status == "RUNNING")
        dep["pendingCount"] = sum(1 for t in mine if t.last_status != "RUNNING")
    service.running_count = sum(1 for t in active if t.last_status == "RUNNING")
    service.pending_count = sum(1 for t in active if t.last_status != "RUNNING")


def _task_list(tasks: list[ServiceTask]) -> str:
    return " ".join(f"(task {t.id})" for t in tasks)


def _scale_in(service: Any, tasks: list[ServiceTask]) -> None:
    for t in tasks:
        t.stop(_scaling_reason(t.started_by), SCALING_STOP_CODE, 0)


def _new_deployment(service: Any, task_definition_arn: str, reason: str | None = None) -> dict[str, Any]:
    digits = _digits()
    dep_id = f"ecs-svc/{digits}"
    now = _now()
    primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), None)
    return {
        "id": dep_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition_arn,
        "desiredCount": service.desired_count,
        "pendingCount": service.desired_count,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type or "FARGATE",
        "platformVersion": (primary or {}).get("platformVersion") or service.platform_version,
        "platformFamily": (primary or {}).get("platformFamily"),
        "networkConfiguration": service.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": reason or f"ECS deployment {dep_id} in progress.",
        "_digits": digits,
    }


def _revision_summary(service: Any, dep: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": _revision_arn(service, dep["_digits"]),
        "requestedTaskCount": dep["desiredCount"],
        "runningTaskCount": dep["runningCount"],
        "pendingTaskCount": dep["pendingCount"],
    }


def _record_service_deployment(service: Any, dep: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    # moto has no service deployments at all (ListServiceDeployments,
    # DescribeServiceDeployments, StopServiceDeployment). Real ECS keeps one
    # per rollout with source and target service revisions.
    cb = _circuit_breaker(service)
    now = _now()
    sd = {
        "serviceDeploymentArn": _service_deployment_arn(service),
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": now,
        "startedAt": now,
        "updatedAt": now,
        "sourceServiceRevisions": [_revision_summary(service, s) for s in sources],
        "targetServiceRevision": _revision_summary(service, dep),
        "status": "IN_PROGRESS",
        "deploymentConfiguration": getattr(service, "deployment_configuration", None),
        "deploymentCircuitBreaker": (
            {"status": "MONITORING", "failureCount": 0, "threshold": _failure_threshold(service.desired_count)}
            if cb.get("enable")
            else {"status": "DISABLED"}
        ),
        "_deployment_id": dep["id"],
        "_sources": [dict(s) for s in sources],
    }
    STATE.service_deployments[sd["serviceDeploymentArn"]] = (service, sd)
    service.current_service_deployment = sd["serviceDeploymentArn"]
    dep["_sd"] = sd["serviceDeploymentArn"]
    return sd


def _record_service_revision(service: Any, dep: dict[str, Any]) -> None:
    # Real ECS: every deployment's target is a service revision (task
    # definition plus launch and network settings), readable with
    # DescribeServiceRevisions after the deployment itself is gone.
    arn = _revision_arn(service, dep["_digits"])
    task_definition = None
    try:
        task_definition = service._backend.describe_task_definition(dep["taskDefinition"])
    except Exception:  # deregistered and deleted: the revision still names its ARN
        pass
    revision = {
        "serviceRevisionArn": arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": dep["taskDefinition"],
        "launchType": dep.get("launchType"),
        "platformVersion": dep.get("platformVersion") if dep.get("launchType") == "FARGATE" else None,
        "loadBalancers": list(service.load_balancers or []),
        "serviceRegistries": list(service.service_registries or []),
        "networkConfiguration": service.network_configuration or None,
        "containerImages": [
            {"containerName": c.get("name"), "image": c.get("image")}
            for c in (task_definition.container_definitions if task_definition else [])
        ],
        "guardDutyEnabled": False,
        "createdAt": dep["createdAt"],
    }
    STATE.service_revisions[arn] = (service, {k: v for k, v in revision.items() if v is not None})


def _public_sd(sd: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sd.items() if not k.startswith("_") and v is not None}


def _cancel_timer(service: Any) -> None:
    timer = getattr(service, "_la_timer", None)
    if timer is not None:
        timer.cancel()
    service._la_timer = None


def _schedule(service: Any, dep: dict[str, Any], fail: bool) -> None:
    _cancel_timer(service)
    fn = _fail_rollout if fail else _complete_rollout
    timer = threading.Timer(STATE.rollout_seconds, fn, args=(service, dep["id"]))
    timer.daemon = True
    service._la_timer = timer
    STATE.timers.append(timer)
    timer.start()


def _start_rollout(service: Any, task_definition_arn: str, reason: str | None = None, rollback_of: str | None = None) -> dict[str, Any]:
    """Append a new PRIMARY deployment; the previous PRIMARY becomes ACTIVE.

    Real ECS (DescribeServices `deployments`): a rolling update adds a PRIMARY
    deployment for the new task definition and keeps the previous ones as
    ACTIVE until their tasks are drained. moto only overwrites attributes.
    """
    now = _now()
    sources = []
    for d in service.deployments:
        if d["status"] == "PRIMARY":
            d["status"] = "ACTIVE"
            d["updatedAt"] = now
        if d.get("rolloutState") == "IN_PROGRESS":
            # A newer deployment supersedes an unfinished one.
            sd_entry = STATE.service_deployments.get(d.get("_sd", ""))
            if sd_entry and sd_entry[1]["status"] == "IN_PROGRESS" and rollback_of is None:
                sd_entry[1].update(status="STOPPED", statusReason="Superseded by a newer service deployment.", stoppedAt=now, updatedAt=now)
        if d.get("rolloutState") != "FAILED":
            sources.append(d)
    dep = _new_deployment(service, task_definition_arn, reason)
    service.deployments.insert(0, dep)
    service.task_definition = task_definition_arn
    service.pending_count = service.desired_count
    if rollback_of is None:
        _record_service_deployment(service, dep, sources)
        fail = STATE.fail_next_rollouts > 0
        if fail:
            STATE.fail_next_rollouts -= 1
    else:
        dep["_sd"] = rollback_of
        fail = False
    _record_service_revision(service, dep)
    if _manages_tasks(service):
        tasks = _task_list(_launch(service, dep, service.desired_count))
        _sync_counts(service)
    else:
        tasks = " ".join(f"(task {_task_id()})" for _ in range(max(service.desired_count, 0)))
    if service.desired_count > 0:
        _event(service, f"has started {service.desired_count} tasks: {tasks}.")
    _schedule(service, dep, fail)
    return dep


def _find(service: Any, dep_id: str) -> dict[str, Any] | None:
    return next((d for d in service.deployments if d["id"] == dep_id), None)


def _complete_rollout(service: Any, dep_id: str) -> None:
    """Real ECS: PRIMARY reaches COMPLETED once all its tasks are running and
    healthy; the older deployments are drained and disappear from the list."""
    with _LOCK:
        dep = _find(service, dep_id)
        if dep is None or dep["rolloutState"] != "IN_PROGRESS":
            return
        now = _now()
        drained = [d for d in service.deployments if d is not dep]
        stopped = sum(d["runningCount"] for d in drained)
        stopped_ids = " ".join(f"(task {_task_id()})" for _ in range(stopped))
        if _manages_tasks(service):
            # The new tasks start (as many as desired), then the scheduler
            # stops every task of the replaced deployments.
            mine = _active_tasks(service, dep_id)
            mine += _launch(service, dep, dep["desiredCount"] - len(mine))
            _scale_in(service, mine[dep["desiredCount"] :])
            for t in mine[: dep["desiredCount"]]:
                if t.last_status != "RUNNING":
                    t.start()
            others = [t for t in _active_tasks(service) if t.started_by != dep_id]
            replaced = [t for t in others if t.last_status == "RUNNING"]
            _scale_in(service, others)
            stopped, stopped_ids = len(replaced), _task_list(replaced)
        dep.update(
            runningCount=dep["desiredCount"],
            pendingCount=0,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {dep_id} completed.",
            updatedAt=now,
        )
        service.deployments[:] = [dep]
        service.running_count = dep["desiredCount"]
        service.pending_count = 0
        _sync_counts(service)
        if stopped > 0:
            _event(service, f"has stopped {stopped} running tasks: {stopped_ids}.")
        _event(service, f"(deployment {dep_id}) deployment completed.")
        _event(service, "has reached a steady state.")
        sd_entry = STATE.service_deployments.get(dep.get("_sd", ""))
        if sd_entry:
            sd = sd_entry[1]
            rolled_back = sd["status"] == "ROLLBACK_IN_PROGRESS"
            sd.update(status="ROLLBACK_SUCCESSFUL" if rolled_back else "SUCCESSFUL", finishedAt=now, updatedAt=now)
            # After a rollback the source revision runs again, not the target.
            sd["targetServiceRevision"]["runningTaskCount"] = 0 if rolled_back else dep["desiredCount"]
            sd["targetServiceRevision"]["pendingTaskCount"] = 0
            for i, src in enumerate(sd["sourceServiceRevisions"]):
                src["runningTaskCount"] = dep["desiredCount"] if rolled_back and i == 0 else 0
                src["pendingTaskCount"] = 0
            if sd["deploymentCircuitBreaker"].get("status") == "MONITORING":
                sd["deploymentCircuitBreaker"]["status"] = "MONITORING_COMPLETE"


def _rollback(service: Any, sd: dict[str, Any], reason: str, failing: dict[str, Any], by_circuit_breaker: bool = True) -> None:
    """Start a deployment back to the newest source revision of `sd`."""
    source = next(iter(sd["_sources"]), None)
    if source is None:
        raise ClientException("The service deployment has no previous service revision to roll back to.")
    now = _now()
    target = source["taskDefinition"]
    sd.update(
        status="ROLLBACK_IN_PROGRESS",
        updatedAt=now,
        rollback={"reason": reason, "startedAt": now, "serviceRevisionArn": _revision_arn(service, source["_digits"])},
    )
    failing["status"] = "ACTIVE"
    _start_rollout(
        service,
        target,
        reason=(
            f"ECS deployment circuit breaker: rolling back to deploymentId {source['id']}."
            if by_circuit_breaker
            else f"ECS deployment {failing['id']} stopped: rolling back to deploymentId {source['id']}."
        ),
        rollback_of=sd["serviceDeploymentArn"],
    )
    _event(service, f"(deployment {failing['id']}) rolling back to deployment {source['id']}.")


def _fail_rollout(service: Any, dep_id: str) -> None:
    """Real ECS with the deployment circuit breaker: after `threshold` failed
    tasks the PRIMARY's rolloutState becomes FAILED with reason
    'ECS deployment circuit breaker: tasks failed to start.' and, when
    `rollback` is on, ECS deploys the last COMPLETED revision again."""
    with _LOCK:
        dep = _find(service, dep_id)
        if dep is None or dep["rolloutState"] != "IN_PROGRESS":
            return
        now = _now()
        threshold = _failure_threshold(dep["desiredCount"])
        if _manages_tasks(service):
            # Each failed task counts towards the circuit breaker's threshold:
            # exactly `threshold` tasks start and stop because their essential
            # container exits with 1; pending tasks beyond that never start.
            pending = _active_tasks(service, dep_id)
            failing = pending[:threshold] + _launch(service, dep, threshold - len(pending))
            for t in failing:
                t.start()
                essential = next((c.name for c in t.containers if c.essential), None)
                t.stop(ESSENTIAL_EXIT_REASON, ESSENTIAL_EXIT_STOP_CODE, 1, failed_container=essential)
            _scale_in(service, pending[threshold:])
        dep.update(
            runningCount=0,
            pendingCount=0,
            failedTasks=threshold,
            rolloutState="FAILED",
            rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
            updatedAt=now,
        )
        service.pending_count = 0
        service.running_count = sum(d["runningCount"] for d in service.deployments)
        _sync_counts(service)
        _event(service, f"(deployment {dep_id}) deployment failed: tasks failed to start.")
        sd_entry = STATE.service_deployments.get(dep.get("_sd", ""))
        cb = _circuit_breaker(service)
        if sd_entry:
            sd = sd_entry[1]
            sd["deploymentCircuitBreaker"] = {"status": "TRIGGERED", "failureCount": threshold, "threshold": threshold}
            sd["targetServiceRevision"].update(runningTaskCount=0, pendingTaskCount=0)
            if cb.get("enable") and cb.get("rollback") and sd["_sources"]:
                _rollback(service, sd, "ECS deployment circuit breaker: tasks failed to start.", dep)
                return
            sd.update(
                status="STOPPED",
                statusReason="ECS deployment circuit breaker: tasks failed to start.",
                stoppedAt=now,
                finishedAt=now,
                updatedAt=now,
            )


# --- patches -----------------------------------------------------------------

_orig_register = Backend.register_task_definition


def register_task_definition(self: Backend, *args: Any, **kwargs: Any) -> Any:
    # moto gap: no `registeredAt`. Real ECS sets it on every revision.
    task_definition = _orig_register(self, *args, **kwargs)
    task_definition.registered_at = _now()
    return task_definition


_orig_update = Backend.update_service


def update_service(self: Backend, service_properties: dict[str, Any]) -> Any:
    # moto gap: UpdateService overwrites attributes only (it stores the task
    # definition string as given, e.g. `web:2`, and a forceNewDeployment just
    # renames the single deployment). Real ECS stores the full task definition
    # ARN on the service and starts a new PRIMARY deployment when the task
    # definition changes or forceNewDeployment is true.
    with _LOCK:
        cluster_str = service_properties.get("cluster", "default")
        service_str = str(service_properties.get("service", "")).split("/")[-1]
        td_str = service_properties.get("task_definition")
        force = bool(service_properties.pop("force_new_deployment", False))
        target_arn = self.describe_task_definition(td_str).arn if td_str else None
        service = self._get_service(cluster_str, service_str)
        previous_arn = service.task_definition
        previous_running = service.running_count
        service = _orig_update(self, service_properties)
        service.task_definition = previous_arn
        primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), None)
        if (target_arn and target_arn != previous_arn) or force:
            if not hasattr(service, "events"):
                service.events = []
            _start_rollout(service, target_arn or previous_arn)
        elif primary is not None and service_properties.get("desired_count") is not None:
            # Scaling only: moto reports the new count as running at once; keep
            # the PRIMARY deployment's counts consistent with that, except
            # while a rollout is still in progress (its tasks are pending).
            if primary.get("rolloutState") == "IN_PROGRESS":
                service.running_count = previous_running
                service.pending_count = service.desired_count
                primary.update(desiredCount=service.desired_count, pendingCount=service.desired_count, updatedAt=_now())
            else:
                primary.update(desiredCount=service.desired_count, runningCount=service.desired_count, pendingCount=0, updatedAt=_now())
            if _manages_tasks(service) and primary.get("rolloutState") != "FAILED":
                _scale_tasks(service, primary)
        return service


def _scale_tasks(service: Any, primary: dict[str, Any]) -> None:
    """Scaling only: add or stop tasks of the PRIMARY deployment to match the new desired count."""
    mine = _active_tasks(service, primary["id"])
    # Stop pending tasks before running ones, newest first, like a scale-in.
    mine.sort(key=lambda t: (t.last_status == "RUNNING", -t.created_at.timestamp()))
    extra = len(mine) - service.desired_count
    if extra > 0:
        victims = mine[:extra]
        running = [t for t in victims if t.last_status == "RUNNING"]
        _scale_in(service, victims)
        if running:
            _event(service, f"has stopped {len(running)} running tasks: {_task_list(running)}.")
    elif extra < 0:
        started = _launch(service, primary, -extra)
        if primary.get("rolloutState") != "IN_PROGRESS":
            for t in started:
                t.start()
        _event(service, f"has started {len(started)} tasks: {_task_list(started)}.")
    _sync_counts(service)


_orig_create_response = EC2ContainerServiceResponse.create_service


def create_service_response(self: EC2ContainerServiceResponse) -> Any:
    # moto gaps: CreateService drops `deploymentConfiguration`, reports no
    # `createdAt`, leaves the first deployment IN_PROGRESS with no running
    # tasks and writes no events. Real ECS echoes the deployment configuration
    # (defaults: maximumPercent 200, minimumHealthyPercent 100, circuit
    # breaker off) and the first deployment completes once its tasks run.
    with _LOCK:
        result = _orig_create_response(self)
        service = result.result["service"]  # type: ignore[index]
        config = self._get_param("deploymentConfiguration") or {}
        config.setdefault("maximumPercent", 200)
        config.setdefault("minimumHealthyPercent", 100)
        config.setdefault("deploymentCircuitBreaker", {"enable": False, "rollback": False})
        service.deployment_configuration = config
        service.created_at = _now()
        service.created_by = f"arn:aws:iam::{self.current_account}:root"
        if service.deployments:
            dep = service.deployments[0]
            dep["_digits"] = dep["id"].split("/")[-1]
            dep["launchType"] = dep.get("launchType") or "FARGATE"
            sd = _record_service_deployment(service, dep, [])
            dep["runningCount"] = service.desired_count
            dep["pendingCount"] = 0
            dep["failedTasks"] = 0
            dep["rolloutState"] = "COMPLETED"
            dep["rolloutStateReason"] = f"ECS deployment {dep['id']} completed."
            service.running_count = service.desired_count
            service.pending_count = 0
            sd.update(status="SUCCESSFUL", finishedAt=_now())
            sd["targetServiceRevision"].update(runningTaskCount=service.desired_count, pendingTaskCount=0)
            if sd["deploymentCircuitBreaker"]["status"] == "MONITORING":
                sd["deploymentCircuitBreaker"]["status"] = "MONITORING_COMPLETE"
            _record_service_revision(service, dep)
            service._la_tasks = True
            started = _launch(service, dep, service.desired_count)
            for t in started:
                t.start()
            _sync_counts(service)
            if service.desired_count > 0:
                _event(service, f"has started {service.desired_count} tasks: {_task_list(started)}.")
            _event(service, f"(deployment {dep['id']}) deployment completed.")
            _event(service, "has reached a steady state.")
        return result


def _services_of(self: EC2ContainerServiceResponse) -> list[tuple[Any, dict[str, Any]]]:
    backend = self.ecs_backend
    return [e for e in STATE.service_deployments.values() if e[0] in backend.services.values()]


def stop_service_deployment(self: EC2ContainerServiceResponse) -> Any:
    # moto gap: StopServiceDeployment is not implemented. Real ECS (API
    # reference): stopType ROLLBACK rolls an in-progress service deployment
    # back to the previous service revision; the valid value is ROLLBACK.
    from moto.core.responses import ActionResult

    with _LOCK:
        arn = self._get_param("serviceDeploymentArn")
        stop_type = self._get_param("stopType") or "ROLLBACK"
        entry = STATE.service_deployments.get(arn)
        if entry is None or entry not in _services_of(self):
            raise ServiceDeploymentNotFoundException(f"Service deployment {arn} not found.")
        if stop_type != "ROLLBACK":
            raise InvalidParameterException("stopType: the only supported value is ROLLBACK.")
        service, sd = entry
        if sd["status"] not in ("PENDING", "IN_PROGRESS"):
            raise ConflictException(f"The service deployment is {sd['status']} and cannot be stopped.")
        dep = _find(service, sd["_deployment_id"])
        if dep is None:
            raise ConflictException("The service deployment has no running deployment.")
        _cancel_timer(service)
        reason = "Service deployment rolled back because of a StopServiceDeployment request."
        dep.update(rolloutState="FAILED", rolloutStateReason=reason, pendingCount=0, updatedAt=_now())
        if _manages_tasks(service):
            _scale_in(service, _active_tasks(service, dep["id"]))
        _rollback(service, sd, reason, dep, by_circuit_breaker=False)
        return ActionResult({"serviceDeploymentArn": arn})


def list_service_deployments(self: EC2ContainerServiceResponse) -> Any:
    # moto gap: ListServiceDeployments is not implemented. Real ECS lists
    # ServiceDeploymentBrief items for one service, newest first.
    from moto.core.responses import ActionResult

    with _LOCK:
        cluster_str = self._get_param("cluster", "default")
        service = self.ecs_backend._get_service(cluster_str, str(self._get_param("service")).split("/")[-1])
        statuses = self._get_param("status") or []
        briefs = []
        for svc, sd in STATE.service_deployments.values():
            if svc is not service or (statuses and sd["status"] not in statuses):
                continue
            briefs.append(
                {
                    k: sd.get(k)
                    for k in ("serviceDeploymentArn", "serviceArn", "clusterArn", "startedAt", "createdAt", "finishedAt", "status", "statusReason")
                    if sd.get(k) is not None
                }
                | {"targetServiceRevisionArn": sd["targetServiceRevision"]["arn"]}
            )
        briefs.sort(key=lambda b: b["createdAt"], reverse=True)
        # Real ECS pages: at most maxResults (1-100, default 20) with a nextToken.
        page, token = _page(briefs, self._get_param("maxResults"), self._get_param("nextToken"), 20, 100)
        return ActionResult({"serviceDeployments": page, "nextToken": token} if token else {"serviceDeployments": page})


def describe_service_deployments(self: EC2ContainerServiceResponse) -> Any:
    # moto gap: DescribeServiceDeployments is not implemented. Unknown ARNs go
    # to `failures` with reason MISSING, like DescribeServices.
    from moto.core.responses import ActionResult

    with _LOCK:
        known = {sd["serviceDeploymentArn"]: sd for _, sd in _services_of(self)}
        found, failures = [], []
        for arn in self._get_param("serviceDeploymentArns") or []:
            if arn in known:
                found.append(_public_sd(known[arn]))
            else:
                failures.append({"arn": arn, "reason": "MISSING"})
        return ActionResult({"serviceDeployments": found, "failures": failures})


_orig_delete = Backend.delete_service


def delete_service(self: Backend, cluster_name: str, service_name: str, force: bool) -> Any:
    # moto gap: deleting a service leaves nothing to stop. Real ECS drains
    # the service: its tasks stop.
    with _LOCK:
        service = _orig_delete(self, cluster_name, service_name, force)
        _cancel_timer(service)
        if _manages_tasks(service):
            _scale_in(service, _active_tasks(service))
            _sync_counts(service)
        return service


def _page(items: list[Any], max_results: Any, next_token: Any, default: int, limit: int) -> tuple[list[Any], str | None]:
    """One page of `items` and the token of the next one (an opaque offset)."""
    size = int(max_results) if max_results else default
    if size < 1 or size > limit:
        raise InvalidParameterException(f"maxResults must be between 1 and {limit}.")
    try:
        start = int(base64.urlsafe_b64decode(str(next_token).encode()).decode()) if next_token else 0
    except ValueError:
        raise InvalidParameterException("Invalid nextToken.") from None
    end = start + size
    token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], token


def list_tasks(self: EC2ContainerServiceResponse) -> Any:
    # moto gaps: ListTasks ignores `serviceName`, returns every desired status
    # when none is given, matches clusters by substring and never pages. Real
    # ECS (API reference): desiredStatus defaults to RUNNING, serviceName
    # filters to the service's tasks, at most maxResults (1-100, default 100)
    # per page with a nextToken.
    from moto.core.responses import ActionResult

    with _LOCK:
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        service_name = self._get_param("serviceName")
        group = None
        if service_name:
            group = f"service:{backend._get_service(cluster.name, str(service_name).split('/')[-1]).name}"
        desired = self._get_param("desiredStatus") or "RUNNING"
        family = self._get_param("family")
        started_by = self._get_param("startedBy")
        launch_type = self._get_param("launchType")
        container_instance = self._get_param("containerInstance")
        tasks = []
        # A copy: moto's own RunTask/StopTask handlers do not take this layer's lock.
        for task in list(backend.tasks.get(cluster.name, {}).values()):
            if task.desired_status != desired:
                continue
            if group and task.group != group:
                continue
            if family and task.task_definition_arn.split("/")[-1].rsplit(":", 1)[0] != family:
                continue
            if started_by and task.started_by != started_by:
                continue
            if launch_type and task.launch_type != launch_type:
                continue
            if container_instance and container_instance.split("/")[-1] not in (task.container_instance_arn or ""):
                continue
            tasks.append(task.task_arn)
        page, token = _page(tasks, self._get_param("maxResults"), self._get_param("nextToken"), 100, 100)
        return ActionResult({"taskArns": page, "nextToken": token} if token else {"taskArns": page})


def describe_tasks(self: EC2ContainerServiceResponse) -> Any:
    # moto gaps: DescribeTasks searches every cluster by substring, takes any
    # number of tasks and never reports failures. Real ECS: up to 100 task IDs
    # or ARNs of the given cluster; unknown ones come back in `failures` with
    # reason MISSING.
    from moto.core.responses import ActionResult

    with _LOCK:
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        wanted = self._get_param("tasks") or []
        if not wanted:
            raise InvalidParameterException("Tasks cannot be empty.")
        if len(wanted) > 100:
            raise InvalidParameterException("Too many tasks were provided. Provide a maximum of 100 tasks.")
        by_id = {t.task_arn.split("/")[-1]: t for t in list(backend.tasks.get(cluster.name, {}).values())}
        found, failures = [], []
        for ref in wanted:
            task = by_id.get(str(ref).split("/")[-1])
            if task is None or (str(ref).startswith("arn:") and ref != task.task_arn):
                failures.append({"arn": ref, "reason": "MISSING"})
                continue
            task.advance()
            found.append(task)
        if "TAGS" in (self._get_param("include") or []):
            self._include_in_response(DESCRIBE_TASKS_TAGS)
        else:
            self._exclude_from_response(DESCRIBE_TASKS_TAGS)
        return ActionResult({"tasks": found, "failures": failures})


def describe_service_revisions(self: EC2ContainerServiceResponse) -> Any:
    # moto gap: DescribeServiceRevisions is not implemented. Real ECS: up to
    # 20 service revision ARNs; unknown ones go to `failures` (MISSING).
    from moto.core.responses import ActionResult

    with _LOCK:
        arns = self._get_param("serviceRevisionArns") or []
        if not arns or len(arns) > 20:
            raise InvalidParameterException("serviceRevisionArns must name between 1 and 20 service revisions.")
        services = list(self.ecs_backend.services.values())
        found, failures = [], []
        for arn in arns:
            entry = STATE.service_revisions.get(arn)
            if entry is None or entry[0] not in services:
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(entry[1])
        return ActionResult({"serviceRevisions": found, "failures": failures})


_original_task_resource_requirements = Backend._calculate_task_resource_requirements

_MEMORY_KEYS = ("memory", "Memory", "memoryReservation", "MemoryReservation")


def calculate_task_resource_requirements(task_definition: Any) -> dict[str, Any]:
    # moto gap: RunTask adds up container-level memory and fails (TypeError, an HTML 500) when a
    # container has none. On Fargate, container memory is optional: the task-level memory of the
    # task definition applies (ECS API reference, ContainerDefinition.memory). Containers without
    # it count as 0 here, which is what the sum is only used for (EC2 placement).
    patched = copy.copy(task_definition)
    patched.container_definitions = [
        d if any(k in d for k in _MEMORY_KEYS) else {**d, "memory": 0}
        for d in task_definition.container_definitions
    ]
    return _original_task_resource_requirements(patched)


def _without_tls_only_denials(policy: bytes) -> bytes:
    document = json.loads(policy.decode())
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [
        st
        for st in statements
        if not (
            st.get("Effect") == "Deny"
            and str(st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport", "")).lower() == "false"
        )
    ]
    return json.dumps({**document, "Statement": kept}).encode()


def bucket_permission(self: Any, action: str, resource: str) -> Any:
    # moto gap: bucket policies are evaluated without their Condition blocks, so the usual
    # "deny s3:* unless aws:SecureTransport" statement denies every request. Clients reach this
    # server over plain HTTP where AWS's endpoint is HTTPS: such statements are left out (they
    # never deny a request made over TLS); every other statement is evaluated as moto does.
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = _without_tls_only_denials(self.policy)
    return IAMPolicy(policy.decode()).is_action_permitted(action, resource)


def apply_patches() -> None:
    s3_models.FakeBucket.get_permission = bucket_permission  # type: ignore[method-assign]
    Backend._calculate_task_resource_requirements = staticmethod(calculate_task_resource_requirements)  # type: ignore[method-assign]
    Backend.register_task_definition = register_task_definition  # type: ignore[method-assign]
    Backend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceResponse.create_service = create_service_response  # type: ignore[method-assign]
    EC2ContainerServiceResponse.stop_service_deployment = stop_service_deployment  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.list_service_deployments = list_service_deployments  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.describe_service_deployments = describe_service_deployments  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.describe_service_revisions = describe_service_revisions  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.list_tasks = list_tasks  # type: ignore[method-assign]
    EC2ContainerServiceResponse.describe_tasks = describe_tasks  # type: ignore[method-assign]
    Backend.delete_service = delete_service  # type: ignore[method-assign]


# --- server ------------------------------------------------------------------


def reset_state() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    with _LOCK:
        for timer in STATE.timers:
            timer.cancel()
        STATE.timers = []
        STATE.fail_next_rollouts = 0
        STATE.service_deployments = {}
        STATE.service_revisions = {}
        moto_api_backend.reset()


def control_app(moto_app: Any) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_local-aws/"):
            return moto_app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        status, body = "404 Not Found", {"error": f"unknown control endpoint {path}"}
        if path == "/_local-aws/health":
            status, body = "200 OK", {"ok": True, "rolloutSeconds": STATE.rollout_seconds}
        elif path == "/_local-aws/ecs/fail-next-rollout" and method == "POST":
            with _LOCK:
                STATE.fail_next_rollouts += 1
                status, body = "200 OK", {"failNextRollouts": STATE.fail_next_rollouts}
        elif path == "/_local-aws/reset" and method == "POST":
            reset_state()
            status, body = "200 OK", {"reset": True}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return app


class LocalAwsServer(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app also answers /_local-aws/*."""

    def _server_entry(self) -> None:
        app = control_app(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True)
        self._server_ready_event.set()
        self._server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rollout-seconds", type=float, default=float(os.environ.get("LOCAL_AWS_ROLLOUT_SECONDS", "2")))
    args = parser.parse_args()
    STATE.rollout_seconds = args.rollout_seconds

    apply_patches()
    server = LocalAwsServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    print(f"local-aws listening on http://{args.host}:{args.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    # Exit with the process that started us, so a crashed test run leaves no server behind.
    parent = os.getppid()

    def watch_parent() -> None:
        while not stop.wait(1):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, daemon=True).start()
    stop.wait()
    for timer in STATE.timers:
        timer.cancel()
    server.stop()


if __name__ == "__main__":
    main()
