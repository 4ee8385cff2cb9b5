-- `captain retry`: a release that failed in a stage can be recorded as retried there.
ALTER TABLE captain.stage_records DROP CONSTRAINT stage_records_record_check;
ALTER TABLE captain.stage_records ADD CONSTRAINT stage_records_record_check
    CHECK (record IN ('approved', 'failed', 'superseded', 'retried'));
