"""The daily social-activity pipeline (``social_activity_daily``): R1, R2 and R4-R8.

| module | what |
|---|---|
| ``daily`` | the DAG's tasks: batches of accounts, the fetch of posts and facts, the Wikipedia check |
| ``ingest`` | bulk loading of fetched posts (COPY, one upsert) |
| ``compliance`` | the day's compliance rows, in SQL (``sql/queries/activity/compliance.sql``) |
| ``notices`` | the notices a day's compliance gives, through the outbox |
"""
