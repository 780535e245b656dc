-- The final guard of 0012 checks inserted rating_result and rating_indicator rows once per
-- statement instead of once per row: a rating writes its 3,000 results and 30,000 indicators
-- in two statements, and a row trigger's lookup of the rating per row cost half the time of
-- the indicators' insert. The check is the same (no row of a final rating is inserted), made
-- on the statement's new rows (a transition table) after it ran, so that the statement fails
-- whole, as before. Updates and deletes keep 0012's row triggers.
-- depends: 0016.rating_document

CREATE FUNCTION presswatch_rating_final_insert_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    target bigint;
BEGIN
    SELECT r.id INTO target
      FROM rating AS r
     WHERE r.status = 'final' AND r.id IN (SELECT n.rating_id FROM new_rows AS n)
     ORDER BY r.id
     LIMIT 1;
    IF target IS NOT NULL THEN
        RAISE EXCEPTION 'rating % is final: its % rows are never rewritten', target, TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER rating_result_final_guard ON rating_result;
CREATE TRIGGER rating_result_final_guard BEFORE UPDATE OR DELETE ON rating_result
    FOR EACH ROW EXECUTE FUNCTION presswatch_rating_final_guard();
CREATE TRIGGER rating_result_final_insert_guard AFTER INSERT ON rating_result
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_rating_final_insert_guard();

DROP TRIGGER rating_indicator_final_guard ON rating_indicator;
CREATE TRIGGER rating_indicator_final_guard BEFORE UPDATE OR DELETE ON rating_indicator
    FOR EACH ROW EXECUTE FUNCTION presswatch_rating_final_guard();
CREATE TRIGGER rating_indicator_final_insert_guard AFTER INSERT ON rating_indicator
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_rating_final_insert_guard();
