-- Posts check their account once per load instead of once per row.
-- depends: 0007.registry_verified
--
-- The foreign key from post to social_account ran a lookup for every row inserted, which cost
-- more than the rest of a bulk load (about 6 s per million posts). presswatch.ingest.load_posts
-- now checks the accounts of a load in one statement instead: it raises on an unknown account
-- and locks the known ones FOR KEY SHARE until commit, as the foreign key did, so an account
-- cannot be deleted while its posts are being loaded. The trigger below keeps the key's
-- ON DELETE CASCADE. (TRUNCATE social_account CASCADE no longer reaches post: truncate both.)

ALTER TABLE post DROP CONSTRAINT post_account_id_fkey;

CREATE FUNCTION delete_posts_of_deleted_accounts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM post AS p USING deleted_account AS d WHERE p.account_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER social_account_delete_posts
    AFTER DELETE ON social_account
    REFERENCING OLD TABLE AS deleted_account
    FOR EACH STATEMENT EXECUTE FUNCTION delete_posts_of_deleted_accounts();
