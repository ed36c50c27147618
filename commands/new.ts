import { Args, Flags } from '@oclif/core';
import { relative } from 'node:path';
import { BaseCommand } from '../src/cli/base-command.js';
import { writeStdout } from '../src/cli/output.js';
import { createProject, PROJECT_TEMPLATES, type NewProjectResult } from '../src/client/new-project.js';

/** `flinkts new`: scaffold a job project. */
export default class New extends BaseCommand {
  static override summary = 'Create a job project from a template.';

  static override description = `Creates a directory with package.json, tsconfig.json, src/job.ts, a vitest test that runs the job on the embedded local cluster and checks its output, and a README. The project depends on this flinkts installation, so npm install, npm test and npm start work right away.

Templates: basic (squares of even numbers from a sequence) and wordcount (Flink's streaming WordCount). The directory must not exist or be empty.`;

  static override examples = [
    {
      description: 'Create a project and run its test and its job.',
      command: '<%= config.bin %> <%= command.id %> my-job && cd my-job && npm install && npm test && npm start',
    },
    {
      description: 'Start from the word count template.',
      command: '<%= config.bin %> <%= command.id %> word-count --template wordcount',
    },
  ];

  static override args = {
    dir: Args.string({ required: true, description: 'Directory to create (its name becomes the package name).' }),
  };

  static override flags = {
    template: Flags.option({
      options: PROJECT_TEMPLATES,
      default: 'basic',
      summary: 'Project template.',
    })(),
  };

  async run(): Promise<NewProjectResult> {
    const { args, flags } = await this.parse(New);
    const result = await createProject({ directory: args.dir, template: flags.template });
    if (!this.jsonEnabled()) {
      const where = relative(process.cwd(), result.directory) || '.';
      const lines = [
        `Created ${result.packageName} (template ${result.template}) in ${where}:`,
        ...result.files.map((file) => `  ${file}`),
        '',
        'Next:',
        `  cd ${where}`,
        '  npm install',
        '  npm test',
        '  npm start',
      ];
      writeStdout(lines.join('\n') + '\n');
    }
    return result;
  }
}
