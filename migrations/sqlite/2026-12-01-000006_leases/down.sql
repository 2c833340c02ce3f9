DROP TABLE singleton_leases;
ALTER TABLE videos DROP COLUMN process_until;
ALTER TABLE videos DROP COLUMN process_holder;
ALTER TABLE uploads DROP COLUMN lease_release_asked;
ALTER TABLE uploads DROP COLUMN lease_until;
ALTER TABLE uploads DROP COLUMN lease_number;
ALTER TABLE uploads DROP COLUMN lease_holder;
