"The trainers' printed table, which the lessons never show (they train with quiet=True): checked on a few random rows."
import torch
from mnist_hood.linear_model import LinearData
from mnist_hood.neural_net import train_simple_net


def tiny_data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 784, generator=g), (torch.rand(n, 1, generator=g) > 0.5).float()
    return LinearData(x[:48], y[:48], x[48:], y[48:])


def test_train_simple_net_prints_its_epochs_unless_quiet(capsys):
    run = train_simple_net(tiny_data(), epochs=2, bs=16)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['epoch', 'train_loss', 'valid_loss', 'batch_accuracy']
    assert [l.split()[0] for l in lines[1:]] == ['0', '1']
    assert float(lines[-1].split()[-1]) == run.history[-1]   # the table shows the run's own last accuracy (to 6 places)
    train_simple_net(tiny_data(), epochs=2, bs=16, quiet=True)
    assert capsys.readouterr().out == ''
