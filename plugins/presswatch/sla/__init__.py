"""The hourly critical-story pipeline (``critical_story_sla_hourly``): R3, the one-day response
rule.

Every hour, for the hour just ended (Asia/Tashkent): stories are ingested from the monitoring
portal and the news sites' feeds, matched to institutions and scored for criticality, the
institutions' responses are recorded, and every open clock's stage is advanced as of the
hour's end, each stage giving its notice once.

| module | what |
|---|---|
| ``items`` | what a feed item and a portal response are once parsed (the connectors' output) |
| ``urls`` | the normalised URL stories are deduplicated by |
| ``stories`` | ingestion: COPY into staging, one upsert that merges duplicates; bad items to quarantine |
| ``matching`` | aliases from the registry, story-to-institution matching and criticality, in SQL |
| ``lexicon`` | the trigger words and phrases (``include/lexicon/critical.yaml``) |
| ``decisions`` | an operator's confirm or dismiss, which wins over the score |
| ``responses`` | responses from the institutions' posts, the portal and operators; rejects to quarantine |
| ``calendar`` | working time on the Uzbek calendar (working-hours mode) |
| ``engine`` | opening clocks and advancing every open clock's stage in one set-based pass |
| ``notices`` | the reminder, breach and escalation notices through the outbox |
| ``hourly`` | the DAG's tasks |

The SQL is in ``sql/queries/sla/``; the schema in ``sql/migrations/0010.story_sla.sql``.
"""
