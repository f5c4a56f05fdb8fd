//! Edges and separating sets are written in bulk (a result can have a million edges), and
//! Postgres checks foreign keys row by row: with three foreign keys and two node indexes per
//! row, a 1M-edge upload took 30 s instead of 3. So `edge` and `sepset` keep only their
//! primary key and `result_id` index; integrity comes from the collector (node ids are checked
//! against the dataset before a row is written, in the transaction that creates the result) and
//! the cascades become triggers:
//! - deleting a result deletes its edges and separating sets;
//! - deleting a node deletes the ground-truth edges that touch it (result edges go with their
//!   result, which is deleted with the experiment of the same dataset).
//!
//! Ground-truth edges keep node indexes of their own (partial, so result edges pay nothing).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE edge DROP CONSTRAINT IF EXISTS edge_result_id_fkey,
                 DROP CONSTRAINT IF EXISTS edge_from_node_id_fkey,
                 DROP CONSTRAINT IF EXISTS edge_to_node_id_fkey;
ALTER TABLE sepset DROP CONSTRAINT IF EXISTS sepset_result_id_fkey,
                   DROP CONSTRAINT IF EXISTS sepset_from_node_id_fkey,
                   DROP CONSTRAINT IF EXISTS sepset_to_node_id_fkey;
DROP INDEX IF EXISTS edge_from_node_id_idx, edge_to_node_id_idx, sepset_from_node_id_idx, sepset_to_node_id_idx;
CREATE INDEX edge_ground_truth_from_idx ON edge (from_node_id) WHERE result_id IS NULL;
CREATE INDEX edge_ground_truth_to_idx ON edge (to_node_id) WHERE result_id IS NULL;

CREATE FUNCTION result_delete_graph() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM edge WHERE result_id = OLD.id;
    DELETE FROM sepset WHERE result_id = OLD.id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER result_delete_graph AFTER DELETE ON result
    FOR EACH ROW EXECUTE FUNCTION result_delete_graph();

CREATE FUNCTION node_delete_ground_truth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM edge WHERE result_id IS NULL AND (from_node_id = OLD.id OR to_node_id = OLD.id);
    RETURN OLD;
END;
$$;
CREATE TRIGGER node_delete_ground_truth AFTER DELETE ON node
    FOR EACH ROW EXECUTE FUNCTION node_delete_ground_truth();
"#;

const DOWN: &str = r#"
DROP TRIGGER IF EXISTS node_delete_ground_truth ON node;
DROP FUNCTION IF EXISTS node_delete_ground_truth();
DROP TRIGGER IF EXISTS result_delete_graph ON result;
DROP FUNCTION IF EXISTS result_delete_graph();
DROP INDEX IF EXISTS edge_ground_truth_from_idx, edge_ground_truth_to_idx;
CREATE INDEX edge_from_node_id_idx ON edge (from_node_id);
CREATE INDEX edge_to_node_id_idx ON edge (to_node_id);
CREATE INDEX sepset_from_node_id_idx ON sepset (from_node_id);
CREATE INDEX sepset_to_node_id_idx ON sepset (to_node_id);
ALTER TABLE edge ADD FOREIGN KEY (result_id) REFERENCES result (id) ON DELETE CASCADE,
                 ADD FOREIGN KEY (from_node_id) REFERENCES node (id) ON DELETE CASCADE,
                 ADD FOREIGN KEY (to_node_id) REFERENCES node (id) ON DELETE CASCADE;
ALTER TABLE sepset ADD FOREIGN KEY (result_id) REFERENCES result (id) ON DELETE CASCADE,
                   ADD FOREIGN KEY (from_node_id) REFERENCES node (id) ON DELETE CASCADE,
                   ADD FOREIGN KEY (to_node_id) REFERENCES node (id) ON DELETE CASCADE;
"#;

sql_migration!("m20261128_000004_bulk_graph_tables");
