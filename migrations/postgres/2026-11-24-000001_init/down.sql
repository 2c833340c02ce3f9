DROP TABLE audit_events;
DROP TABLE uploads;
DROP TABLE videos;
DROP TABLE chapters;
DROP TABLE courses;
DROP TABLE sessions;
DROP TABLE instructors;
