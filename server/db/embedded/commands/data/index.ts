/**
 * The data commands the engine serves, keyed by lower-case command name for the wire layer's dispatcher.
 */
import type { CommandHandler } from '../../contract.ts';
import type { Engine } from '../../engine/index.ts';
import {
  createCommand,
  createIndexesCommand,
  dropCommand,
  dropDatabaseCommand,
  dropIndexesCommand,
  listCollectionsCommand,
  listDatabasesCommand,
  listIndexesCommand,
  renameCollectionCommand,
} from './catalog-commands.ts';
import { explainCommand } from './explain.ts';
import { findAndModifyCommand } from './find-and-modify.ts';
import { aggregateCommand, countCommand, distinctCommand, findCommand } from './read-commands.ts';
import { deleteCommand, insertCommand, updateCommand } from './write-commands.ts';

export function dataCommands(engine: Engine): Record<string, CommandHandler> {
  return {
    listdatabases: listDatabasesCommand(engine),
    listcollections: listCollectionsCommand(engine),
    listindexes: listIndexesCommand(engine),
    create: createCommand(engine),
    drop: dropCommand(engine),
    dropdatabase: dropDatabaseCommand(engine),
    renamecollection: renameCollectionCommand(engine),
    createindexes: createIndexesCommand(engine),
    dropindexes: dropIndexesCommand(engine),
    find: findCommand(engine),
    count: countCommand(engine),
    distinct: distinctCommand(engine),
    insert: insertCommand(engine),
    update: updateCommand(engine),
    delete: deleteCommand(engine),
    findandmodify: findAndModifyCommand(engine),
    aggregate: aggregateCommand(engine),
    explain: explainCommand(engine),
  };
}
