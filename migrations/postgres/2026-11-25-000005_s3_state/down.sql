DROP TABLE s3_garbage;
DROP TABLE s3_parts;
DROP TABLE s3_uploads;
