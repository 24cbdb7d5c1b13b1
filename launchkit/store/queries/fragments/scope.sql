-- fragment: scope: the contract tables sessions, turns, tool_calls, feedback and evaluations restricted to one drill-down
--           scope, as CTEs named like the tables, so the statement inserted after it (turns_priced,
--           window_events, session_events...) reads only the scope's rows. Insert it first: `WITH {{ scope }}, ...`.
--           $scope_by picks the rule (the column comes from this fixed list, never from the caller):
--           tenant / cohort / release: the sessions with that value (a session missing from the sessions
--             table, or without the value, is '(unknown)', as in metrics/breakdown_session), and their turns,
--             tool calls and feedback;
--           model: the turns of that model ('(unknown)': no model), the tool calls those turns made, and the
--             sessions with such a turn (their starts and feedback);
--           tool: the calls of that tool, the turns that made them, and the sessions with such a call;
--           evaluations: those of the scope's turns, and of its sessions as a whole (no turn) unless the scope is
--             a model or a tool (a session-wide judgement is not one model's or tool's).
--           The first four CTEs (_all_sessions ...) name the whole tables before the scoped CTEs shadow them:
--           a CTE sees only those defined before it, on DuckDB and Spark alike (no schema-qualified names).
-- grain: the contract tables' own (one row per session, turn, call, feedback), fewer rows
-- parameters: $scope_by ('tenant', 'cohort', 'release', 'model' or 'tool'), $scope_value (the value, text)
_all_sessions AS (SELECT * FROM sessions),
_all_turns AS (SELECT * FROM turns),
_all_tool_calls AS (SELECT * FROM tool_calls),
_all_feedback AS (SELECT * FROM feedback),
_all_evaluations AS (SELECT * FROM evaluations),
scope_sessions AS (
    SELECT s.session_id
    FROM _all_sessions AS s
    WHERE coalesce(CASE $scope_by
                       WHEN 'tenant' THEN s.tenant_id
                       WHEN 'cohort' THEN s.cohort
                       WHEN 'release' THEN s.release
                   END, '(unknown)') = $scope_value
      AND $scope_by IN ('tenant', 'cohort', 'release')
    UNION
    SELECT ev.session_id
    FROM (
        SELECT session_id FROM _all_turns
        UNION
        SELECT session_id FROM _all_tool_calls
        UNION
        SELECT session_id FROM _all_feedback WHERE session_id IS NOT NULL
    ) AS ev
    LEFT JOIN _all_sessions AS s ON s.session_id = ev.session_id
    WHERE s.session_id IS NULL AND $scope_value = '(unknown)' AND $scope_by IN ('tenant', 'cohort', 'release')
    UNION
    SELECT session_id FROM _all_turns WHERE $scope_by = 'model' AND coalesce(model, '(unknown)') = $scope_value
    UNION
    SELECT session_id FROM _all_tool_calls WHERE $scope_by = 'tool' AND tool_name = $scope_value
),
sessions AS (
    SELECT * FROM _all_sessions WHERE session_id IN (SELECT session_id FROM scope_sessions)
),
turns AS (
    SELECT *
    FROM _all_turns
    WHERE session_id IN (SELECT session_id FROM scope_sessions)
      AND ($scope_by <> 'model' OR coalesce(model, '(unknown)') = $scope_value)
      AND ($scope_by <> 'tool'
           OR turn_id IN (SELECT turn_id FROM _all_tool_calls WHERE tool_name = $scope_value AND turn_id IS NOT NULL))
),
tool_calls AS (
    SELECT *
    FROM _all_tool_calls
    WHERE session_id IN (SELECT session_id FROM scope_sessions)
      AND ($scope_by <> 'tool' OR tool_name = $scope_value)
      AND ($scope_by <> 'model' OR turn_id IN (SELECT turn_id FROM turns))
),
feedback AS (
    SELECT * FROM _all_feedback WHERE session_id IN (SELECT session_id FROM scope_sessions)
),
evaluations AS (
    SELECT *
    FROM _all_evaluations
    WHERE turn_id IN (SELECT turn_id FROM turns)
       OR (turn_id IS NULL AND $scope_by IN ('tenant', 'cohort', 'release')
           AND session_id IN (SELECT session_id FROM scope_sessions))
)
