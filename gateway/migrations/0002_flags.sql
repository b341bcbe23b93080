-- Flags on the help desk's credits. MyQ X's REST API cannot take credit back, so a credit given
-- by mistake is never hidden or undone here: the operator flags it with a reason, and the flag
-- shows in the shift, its CSV and the report, for an administrator to correct in MyQ X.
-- One flag per payment; money is never changed by a flag.

CREATE TABLE flags (
    payment_id TEXT PRIMARY KEY REFERENCES payments (payment_id),
    reason     TEXT NOT NULL,
    flagged_by TEXT NOT NULL,              -- who flagged it: the operator, or an administrator
    at         BIGINT NOT NULL             -- unix milliseconds
);

-- The shift and the report find an operator's credits by the time of their 'credited' step.
CREATE INDEX steps_by_step_time ON steps (step, at);
