"""Installing maesn-client gives every pytest suite the sandbox fixtures (entry point pytest11).

The inner suites run in a subprocess: a fresh interpreter proves the entry point, and an in-process
run would unload modules the inner suite imported first (httpcore), breaking later tests.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_the_fixtures_work_in_a_fresh_suite_through_the_entry_point(
    pytester: pytest.Pytester,
) -> None:
    """A user's test module uses maesn_sandbox and maesn_fake_clock with no conftest at all."""
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from maesn import _clock

        def test_poll(maesn_sandbox):
            task_id = maesn_sandbox.add_task("abaconnect", response_data={"ok": True})
            with httpx.Client(headers=maesn_sandbox.headers) as client:
                bodies = [client.get(maesn_sandbox.task_url(task_id)).json() for _ in range(2)]
            assert [b["data"]["status"] for b in bodies] == ["IN_PROGRESS", "FINISHED"]
            assert bodies[1]["data"]["responseData"] == {"ok": True}

        @pytest.mark.maesn_sandbox(interactive_auth=True, api_key="mine")
        def test_marker_configures_the_sandbox(maesn_sandbox):
            assert maesn_sandbox.interactive_auth
            assert maesn_sandbox.api_key == "mine"

        def test_clock(maesn_fake_clock):
            _clock.current().sleep(30)
            assert maesn_fake_clock.sleeps == [30]
        """
    )
    result = pytester.runpytest_subprocess("-W", "error", "--strict-markers")
    result.assert_outcomes(passed=3)


def test_the_plugin_module_loads_with_an_explicit_p_flag(pytester: pytest.Pytester) -> None:
    """Without the entry point (-p no:maesn), `-p maesn.testing._pytest_plugin` gives the fixture."""
    pytester.makepyfile(
        """
        def test_sandbox(maesn_sandbox):
            assert maesn_sandbox.base_url.startswith("http://127.0.0.1:")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:maesn", "-p", "maesn.testing._pytest_plugin")
    result.assert_outcomes(passed=1)
