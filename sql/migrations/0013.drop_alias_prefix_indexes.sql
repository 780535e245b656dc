-- Matching no longer joins an alias on its first three keys (0010's comment): it joins on the
-- alias's anchor, the pair of adjacent keys fewest aliases share, chosen per run in a temporary
-- table (sql/queries/sla/matching.sql, alias_anchors). No statement reads these two indexes
-- any more; every alias write would still pay for them.
-- depends: 0010.story_sla

DROP INDEX institution_alias_plain_idx;
DROP INDEX institution_alias_stem_idx;
