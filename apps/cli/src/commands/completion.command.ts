import { Command } from 'commander';

/** Every command path and the flags each takes, from the program itself. */
function commandTree(program: Command): Map<string, string[]> {
  const tree = new Map<string, string[]>();
  const visit = (command: Command, path: string) => {
    const words = [...command.commands.map((sub) => sub.name()), ...command.options.map((option) => option.long!).filter(Boolean)];
    tree.set(path, words);
    for (const sub of command.commands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return tree;
}

/** A bash completion script: completes subcommands and flags from the words typed so far. */
export function bashCompletion(program: Command): string {
  const cases = [...commandTree(program)].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n');
  return `# hub bash completion: source <(hub completion bash)
_hub_complete() {
  local path="" word words
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) if [ -z "$path" ]; then path="$word"; else path="$path $word"; fi ;; esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "\${COMP_WORDS[COMP_CWORD]}") )
}
complete -F _hub_complete hub
`;
}

/** `hub completion bash`. */
export function completionCommand(program: Command): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(hub completion bash)')
    .argument('<shell>', 'bash')
    .action((shell: string) => {
      if (shell !== 'bash') program.error(`no completion for ${shell}; bash only`, { exitCode: 2 });
      process.stdout.write(bashCompletion(program));
    });
}
