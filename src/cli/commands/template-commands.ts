import type { Command } from 'commander';
import { MAIL_KINDS } from '../../outbound/render/sample-kinds.js';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';
import type { PreviewOptions } from '../actions/templates.js';

const actions = () => import('../actions/templates.js');

export function registerTemplateCommands(program: Command, io: CliIo): void {
  const templates = program.command('templates').description('the Handlebars templates of the mails');
  templates
    .command('preview')
    .description('print a rung’s mail (or another kind of mail) rendered for a realistic fictional case')
    .argument('<ladder>', 'ladder id, e.g. childrens-home-reg5')
    .argument('<rung>', 'rung id, or "repeat"')
    .option(
      '--kind <kind>',
      `which mail: ${[...MAIL_KINDS, 'weekly-digest', 'chaser-bundle'].join(', ')} (the last two over sample cases on the ladder)`,
      'chaser',
    )
    .option('--html', 'print the HTML part instead of the text part')
    .option('--variant <variant>', 'standard | urgent | imminent', 'standard')
    .option('--org <id>', "use this organisation's name, calendar, ladders and template overrides from the config")
    .option('--templates <folder>', 'an override folder laid out like src/templates (as an organisation’s templatesDir)')
    .option('--dir <folder>', 'read the ladder from this folder')
    .action(async (ladderId: string, rungId: string, o: PreviewOptions) =>
      (await actions()).preview(ladderId, rungId, { ...program.opts<GlobalOptions>(), ...o }, io),
    );
}
